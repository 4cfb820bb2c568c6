// The parts of agent isolation that stand on their own (docs/plugins.md, "Isolation"): frames on
// a socket between the host and a child, the values inside the messages, the child process, and
// the policy that restarts a crashed child with backoff and quarantines an agent that keeps
// crashing.
#include "host/isolation/child_process.hpp"
#include "host/isolation/frame.hpp"
#include "host/isolation/messages.hpp"
#include "host/isolation/restart_policy.hpp"

#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace socrates::host::isolation {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class SocketPair {
 public:
  SocketPair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_), 0); }
  ~SocketPair() {
    close(0);
    close(1);
  }
  int operator[](int i) const { return fds_[i]; }
  void close(int i) {
    if (fds_[i] >= 0) ::close(fds_[i]);
    fds_[i] = -1;
  }

 private:
  int fds_[2] = {-1, -1};
};

TEST(FrameTest, FramesArriveWholeAndInOrder) {
  SocketPair pair;
  const std::string big(3 * 1024 * 1024 + 7, 'x');  // more than a socket buffer: written while read
  std::thread writer([&] {
    EXPECT_TRUE(write_frame(pair[0], R"({"op":"handle"})"));
    EXPECT_TRUE(write_frame(pair[0], ""));
    EXPECT_TRUE(write_frame(pair[0], big));
  });
  std::string frame;
  ASSERT_EQ(read_frame(pair[1], frame, Clock::now() + 10s), FrameStatus::kOk);
  EXPECT_EQ(frame, R"({"op":"handle"})");
  ASSERT_EQ(read_frame(pair[1], frame, Clock::now() + 10s), FrameStatus::kOk);
  EXPECT_EQ(frame, "");
  ASSERT_EQ(read_frame(pair[1], frame, Clock::now() + 10s), FrameStatus::kOk);
  EXPECT_EQ(frame, big);
  writer.join();
}

TEST(FrameTest, APeerThatDiesOrGoesSilentIsToldApart) {
  SocketPair pair;
  std::string frame;
  const auto started = Clock::now();
  EXPECT_EQ(read_frame(pair[1], frame, Clock::now() + 50ms), FrameStatus::kTimeout);
  EXPECT_GE(Clock::now() - started, 50ms);

  // Half a frame, then death: closed, not a frame.
  const unsigned char head[4] = {0, 0, 0, 10};
  ASSERT_EQ(::write(pair[0], head, sizeof head), 4);
  ASSERT_EQ(::write(pair[0], "abc", 3), 3);
  pair.close(0);
  EXPECT_EQ(read_frame(pair[1], frame, Clock::now() + 1s), FrameStatus::kClosed);
  EXPECT_FALSE(write_frame(pair[1], "to nobody")) << "and writing to a dead peer fails without SIGPIPE";
}

TEST(FrameTest, AnAbsurdLengthIsRefusedWithoutAllocatingIt) {
  SocketPair pair;
  const unsigned char head[4] = {0xFF, 0xFF, 0xFF, 0xFF};
  ASSERT_EQ(::write(pair[0], head, sizeof head), 4);
  std::string frame;
  EXPECT_EQ(read_frame(pair[1], frame, Clock::now() + 1s), FrameStatus::kTooLarge);
}

TEST(RestartPolicyTest, EachCrashInTheWindowDoublesTheWaitUpToItsMaximum) {
  RestartPolicy policy({/*max_crashes=*/10, 60s, 100ms, 500ms});
  const auto t0 = Clock::now();
  EXPECT_EQ(policy.crashed(t0), t0 + 100ms);
  EXPECT_EQ(policy.crashed(t0 + 1s), t0 + 1s + 200ms);
  EXPECT_EQ(policy.crashed(t0 + 2s), t0 + 2s + 400ms);
  EXPECT_EQ(policy.crashed(t0 + 3s), t0 + 3s + 500ms) << "capped";
  EXPECT_EQ(policy.crashes_within_window(t0 + 3s), 4u);
  // Once the old crashes leave the window, the wait is short again.
  EXPECT_EQ(policy.crashed(t0 + 10min), t0 + 10min + 100ms);
  EXPECT_EQ(policy.crashes(), 5u);
  EXPECT_FALSE(policy.quarantined());
}

TEST(RestartPolicyTest, TheNthCrashWithinTheWindowQuarantinesForGood) {
  RestartPolicy policy({/*max_crashes=*/3, 60s, 10ms, 1s});
  const auto t0 = Clock::now();
  EXPECT_TRUE(policy.crashed(t0));
  EXPECT_TRUE(policy.crashed(t0 + 10s));
  EXPECT_FALSE(policy.quarantined());
  EXPECT_FALSE(policy.crashed(t0 + 20s)) << "the third crash within a minute";
  EXPECT_TRUE(policy.quarantined());
  EXPECT_FALSE(policy.crashed(t0 + 1h)) << "only a reload (a new policy) releases it";

  // Spread out beyond the window, the same crashes never quarantine.
  RestartPolicy spread({3, 60s, 10ms, 1s});
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(spread.crashed(t0 + i * 61s));
  EXPECT_FALSE(spread.quarantined());
}

TEST(MessagesTest, ParametersRowsAndStatusesCrossUnchanged) {
  const std::vector<sdk::Param> params = {sdk::Param("text"), sdk::Param(nullptr), sdk::Param(""), sdk::Param(42)};
  const auto back = params_from(nlohmann::json::parse(params_json(params.data(), params.size()).dump()));
  ASSERT_EQ(back.size(), 4u);
  EXPECT_EQ(back[0].text(), "text");
  EXPECT_TRUE(back[1].is_null()) << "SQL NULL stays NULL";
  EXPECT_FALSE(back[2].is_null()) << "an empty string is not NULL";
  EXPECT_EQ(back[3].text(), "42");

  sdk::ResultSet set;
  set.columns = {"id", "note"};
  set.rows = {{std::string("1"), std::nullopt}, {std::string("2"), std::string("")}};
  set.affected_rows = 7;
  const sdk::ResultSet rows = rows_from(nlohmann::json::parse(rows_json(set).dump()));
  EXPECT_EQ(rows.columns, set.columns);
  EXPECT_EQ(rows.rows, set.rows);
  EXPECT_EQ(rows.affected_rows, 7);

  sdk::DbStatus status;
  status.kind = sdk::DbStatus::Kind::kUniqueViolation;
  status.sqlstate = "23505";
  status.constraint = "projects_name_key";
  status.message = "duplicate key";
  sdk::DbStatus read;
  status_from(nlohmann::json::parse(status_json(status).dump()), &read);
  EXPECT_EQ(read.kind, status.kind);
  EXPECT_EQ(read.sqlstate, "23505");
  EXPECT_EQ(read.constraint, "projects_name_key");
  EXPECT_EQ(read.message, "duplicate key");

  status_from({{"kind", 999}}, &read);
  EXPECT_EQ(read.kind, sdk::DbStatus::Kind::kQuery) << "an unknown kind is a query error, never out of range";
  status_from({{"kind", "not a number"}}, &read);
  EXPECT_EQ(read.kind, sdk::DbStatus::Kind::kQuery);
}

TEST(MessagesTest, LlmRequestsAndAnswersCrossUnchanged) {
  sdk::LlmRequest request{"be brief", {{"user", "hi"}, {"assistant", "hello"}}, 77, 0.5, "question"};
  const sdk::LlmRequest ask = llm_request_from(nlohmann::json::parse(llm_request_json(request).dump()));
  EXPECT_EQ(ask.system, "be brief");
  ASSERT_EQ(ask.messages.size(), 2u);
  EXPECT_EQ(ask.messages[1].role, "assistant");
  EXPECT_EQ(ask.messages[1].content, "hello");
  EXPECT_EQ(ask.max_tokens, 77);
  EXPECT_DOUBLE_EQ(ask.temperature, 0.5);
  EXPECT_EQ(ask.purpose, "question");

  const sdk::LlmResponse answer =
      llm_response_from(nlohmann::json::parse(llm_response_json({"text", "model-x", 1, 2, 3}).dump()));
  EXPECT_EQ(answer.text, "text");
  EXPECT_EQ(answer.model, "model-x");
  EXPECT_EQ(answer.input_tokens, 1);
  EXPECT_EQ(answer.output_tokens, 2);
  EXPECT_EQ(answer.latency_ms, 3);
}

ChildOptions program(std::vector<std::string> argv, std::size_t address_space_bytes = 0) {
  ChildOptions options;
  options.argv = std::move(argv);
  options.address_space_bytes = address_space_bytes;
  return options;
}

// Reads what the child wrote on its socket up to the first newline.
std::string read_line(int fd) {
  std::string line;
  char c = 0;
  while (::recv(fd, &c, 1, 0) == 1 && c != '\n') line += c;
  return line;
}

TEST(ChildProcessTest, TheChildHasItsSocketAtDescriptor3AndItsAddressSpaceLimit) {
  ChildProcess child(program({"/bin/sh", "-c", "ulimit -v >&3; read line <&3; echo \"got $line\" >&3"}, 512u * 1024 * 1024));
  EXPECT_EQ(read_line(child.fd()), "524288") << "RLIMIT_AS in KiB, as the shell reports it";
  ASSERT_EQ(::send(child.fd(), "hello\n", 6, MSG_NOSIGNAL), 6);
  EXPECT_EQ(read_line(child.fd()), "got hello");
  for (int i = 0; i < 500 && !child.ended(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(child.ended().value_or("still running"), "exit status 0");
}

TEST(ChildProcessTest, TheChildGetsNoOtherDescriptorAndNoBlockedSignals) {
  // A descriptor of the parent's without close-on-exec, and the stop signals blocked as `serve`
  // blocks them for sigwait.
  int leaked[2];
  ASSERT_EQ(::pipe(leaked), 0);
  sigset_t stop, previous;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGHUP);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &stop, &previous), 0);
  // Perl, not the shell: dash clears its signal mask when it starts.
  const std::string script = "open(my $out, '>&=', 3) or die; print $out ((-e '/proc/self/fd/" +
                             std::to_string(leaked[1]) +
                             "') ? \"open\\n\" : \"closed\\n\"); open(my $in, '<', '/proc/self/status') or die; "
                             "print $out grep { /^SigBlk/ } <$in>;";
  ChildProcess child(program({"/usr/bin/perl", "-e", script}));
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  ::close(leaked[0]);
  ::close(leaked[1]);
  EXPECT_EQ(read_line(child.fd()), "closed");
  EXPECT_EQ(read_line(child.fd()), "SigBlk:\t0000000000000000");
}

TEST(ChildProcessTest, ACrashOrAKillIsToldWithItsSignal) {
  ChildProcess crashing(program({"/bin/sh", "-c", "kill -SEGV $$"}));
  for (int i = 0; i < 500 && !crashing.ended(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(crashing.ended().value_or("still running").rfind("signal 11", 0), 0u) << crashing.ended().value_or("");

  ChildProcess sleeping(program({"/bin/sleep", "30"}));
  EXPECT_FALSE(sleeping.ended());
  const auto started = Clock::now();
  sleeping.kill();
  EXPECT_EQ(sleeping.wait().rfind("signal 9", 0), 0u) << sleeping.wait();
  EXPECT_LT(Clock::now() - started, 5s);
  EXPECT_EQ(sleeping.ended().value_or("still running"), sleeping.wait()) << "reaped once, told the same since";
  std::string frame;
  EXPECT_EQ(read_frame(sleeping.fd(), frame, Clock::now() + 1s), FrameStatus::kClosed) << "its socket is closed";
}

TEST(ChildProcessTest, AProgramThatCannotBeStartedEndsWithStatus127) {
  ChildProcess missing(program({"/nonexistent/socrates-agent-worker"}));
  for (int i = 0; i < 500 && !missing.ended(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(missing.ended().value_or("still running"), "exit status 127");
}

}  // namespace
}  // namespace socrates::host::isolation
