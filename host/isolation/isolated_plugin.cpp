#include "host/isolation/isolated_plugin.hpp"

#include "host/crypto/crypto_random.hpp"
#include "host/error_codes.hpp"
#include "host/isolation/agent_worker.hpp"
#include "host/isolation/child_process.hpp"
#include "host/isolation/frame.hpp"
#include "host/isolation/messages.hpp"
#include "host/log/json_log.hpp"
#include "host/metrics/metrics.hpp"
#include "host/plugins/host_services.hpp"

#include <socrates/sdk/detail/abi_bytes.hpp>

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace socrates::host::isolation {
namespace {

namespace abi = sdk::detail::abi;
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// How long a child may take to load its library and say hello, or to run its agent's start().
constexpr auto kStartTimeout = std::chrono::seconds(30);
// A call's child is killed this long after the call's deadline: the watchdog's 504 goes first.
constexpr auto kKillGrace = std::chrono::milliseconds(100);

// The messages of one call, as the reader hands them over.
struct Mailbox {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<json> messages;
  bool gone = false;  // the child ended: nothing more will come
};

// One child process and its socket: a reader thread hands each message to the call it belongs to.
class Link {
 public:
  // Starts the child and reads its hello; throws std::runtime_error with the reason.
  Link(const std::vector<std::string>& argv_head, const fs::path& library, const IsolationOptions& options,
       const std::optional<fs::path>& inside) {
    scratch_ = make_scratch(options.copy_dir);
    ChildOptions child;
    child.argv = argv_head;
    child.argv.push_back(library.string());
    child.argv.push_back(scratch_.string());
    if (inside) child.argv.push_back(inside->string());
    child.address_space_bytes = options.address_space_bytes;
    child.environment = child_environment();
    try {
      child_ = std::make_unique<ChildProcess>(child);
    } catch (const std::exception& e) {
      remove_scratch();
      throw std::runtime_error(std::string("its child process could not be started: ") + e.what());
    }
    std::string frame;
    const FrameStatus status = read_frame(child_->fd(), frame, Clock::now() + kStartTimeout);
    json hello = status == FrameStatus::kOk ? json::parse(frame, nullptr, false) : json();
    if (!hello.is_object() || hello.value("op", "") != "hello" || !hello["info"].is_object()) {
      std::string reason = hello.is_object() && hello.value("op", "") == "failed"
                               ? hello.value("error", std::string("the child gave no reason"))
                               : "its child process did not start (" +
                                     std::string(status == FrameStatus::kTimeout ? "no answer; " : "") +
                                     ended_how(child_->wait()) + ")";
      child_.reset();
      remove_scratch();
      throw std::runtime_error(reason);
    }
    hello_ = std::move(hello);
    // A child that stops reading (stopped, or its reader stuck) cannot hold a call's thread for
    // ever in a write: the write fails, and the child is killed.
    const timeval send_timeout{10, 0};
    ::setsockopt(child_->fd(), SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    reader_ = std::thread([this] { read_loop(); });
  }
  ~Link() {
    kill(std::string());
    reader_.join();
    child_.reset();
    remove_scratch();
  }
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  const json& hello() const noexcept { return hello_; }
  pid_t pid() const noexcept { return child_->pid(); }

  std::shared_ptr<Mailbox> open(std::int64_t call) {
    auto box = std::make_shared<Mailbox>();
    std::lock_guard<std::mutex> lock(mutex_);
    box->gone = dead_;
    boxes_[call] = box;
    return box;
  }
  void close(std::int64_t call) noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    boxes_.erase(call);
  }
  // False when the child cannot be written to; it is then killed (half a frame may have gone).
  // When its end of the socket is gone (it ended, or is ending: a signal closes its descriptors
  // before it can be reaped), how() says how it ended rather than how the host noticed.
  bool send(const json& message) {
    const std::string frame = abi::dump(message);
    bool sent = false;
    int error = 0;
    {
      std::lock_guard<std::mutex> lock(write_mutex_);
      sent = write_frame(child_->fd(), frame);
      error = errno;
    }
    if (!sent) kill(error == EPIPE || error == ECONNRESET ? std::string() : "its socket could not be written to");
    return sent;
  }
  bool dead() {
    std::lock_guard<std::mutex> lock(mutex_);
    return dead_;
  }
  // Kills the child; `reason` (if not empty) is what how() says. The reader sees the end of the
  // stream at once (even if a process the child started holds its end of the socket).
  void kill(const std::string& reason) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!dead_ && killed_for_.empty()) killed_for_ = reason;
    }
    child_->kill();
    ::shutdown(child_->fd(), SHUT_RDWR);
  }
  // How the child ended, once it has (waits until it is reaped; kills it if it still runs).
  std::string how() {
    const std::string status = ended_how(child_->wait());
    std::lock_guard<std::mutex> lock(mutex_);
    return killed_for_.empty() ? status : killed_for_ + " (" + status + ")";
  }

 private:
  static std::string ended_how(const std::string& status) {
    if (status == "exit status " + std::to_string(kOutOfMemoryExit)) return "out of memory (AGENT_MEMORY_LIMIT_MB)";
    return status;
  }
  // What the child's environment holds: what finding programs and libraries, the locale and the
  // time zone need, and nothing else; the host's secrets stay in the host (the agent reads
  // settings through the host's `setting` service, which never hands out a secret).
  static std::vector<std::string> child_environment() {
    std::vector<std::string> kept;
    for (char** entry = environ; entry && *entry; ++entry) {
      const std::string_view text(*entry);
      const std::string_view name = text.substr(0, text.find('='));
      if (name == "PATH" || name == "HOME" || name == "LANG" || name == "TZ" || name == "TMPDIR" ||
          name == "LD_LIBRARY_PATH" || name.rfind("LC_", 0) == 0)
        kept.emplace_back(text);
    }
    return kept;
  }
  static fs::path make_scratch(const fs::path& parent) {
    std::error_code ec;
    if (fs::create_directories(parent, ec)) fs::permissions(parent, fs::perms::owner_all, fs::perm_options::replace, ec);
    std::string pattern = (parent / "agent-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot make its child's directory in \"" + parent.string() + "\": " + std::strerror(errno) +
                               " — make it writable, or set PLUGIN_COPY_DIR to a directory of the host's user");
    return pattern;
  }
  // The child's private copy of the library and its directory: a crashed child leaves them.
  void remove_scratch() noexcept {
    std::error_code ignored;
    if (!scratch_.empty()) fs::remove_all(scratch_, ignored);
  }

  void read_loop() {
    for (;;) {
      std::string frame;
      if (read_frame(child_->fd(), frame, Clock::time_point::max()) != FrameStatus::kOk) break;
      json message = json::parse(frame, nullptr, false);
      if (!message.is_object()) {
        kill("it wrote something that is not a message");
        break;
      }
      const auto call = message.find("call");
      if (call == message.end() || !call->is_number_integer()) continue;
      std::lock_guard<std::mutex> lock(mutex_);
      const auto it = boxes_.find(call->get<std::int64_t>());
      if (it == boxes_.end()) continue;  // a call that is over (a session closed late, say)
      std::lock_guard<std::mutex> box_lock(it->second->mutex);
      it->second->messages.push_back(std::move(message));
      it->second->ready.notify_all();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    dead_ = true;
    for (auto& [call, box] : boxes_) {
      std::lock_guard<std::mutex> box_lock(box->mutex);
      box->gone = true;
      box->ready.notify_all();
    }
  }

  fs::path scratch_;
  std::unique_ptr<ChildProcess> child_;
  json hello_;
  std::mutex write_mutex_;
  std::mutex mutex_;  // boxes_, dead_, killed_for_
  std::map<std::int64_t, std::shared_ptr<Mailbox>> boxes_;
  bool dead_ = false;
  std::string killed_for_;
  std::thread reader_;
};

sdk::Error quarantined_error(const std::string& id) {
  return sdk::Error{errc::kAgentQuarantined,
                    "agent '" + id + "' crashed too often and is quarantined until an operator reloads it",
                    {{"agent", id}}};
}

// One isolated agent of one generation: its child (started again after a crash), the restart
// policy and what the first child said it is. The opaque socrates_agent* of the proxy table below.
class IsolatedChild {
 public:
  IsolatedChild(fs::path library, IsolationOptions options, std::optional<fs::path> inside)
      : library_(std::move(library)),
        options_(std::move(options)),
        inside_(std::move(inside)),
        policy_(options_.restart),
        status_(std::make_shared<IsolationStatus>()) {}

  // Starts the first child and reads its hello; throws PluginError.
  const json& launch_first() {
    try {
      link_ = launch();
    } catch (const std::exception& e) {
      throw PluginError("cannot load plugin \"" + library_.string() + "\" isolated: " + e.what());
    }
    hello_ = link_->hello();
    id_ = hello_["info"].value("agent_id", "");
    return hello_;
  }

  const std::shared_ptr<IsolationStatus>& status() const noexcept { return status_; }
  json description() const { return hello_.value("description", json::object()); }
  void set_deadline(std::chrono::milliseconds deadline) noexcept { deadline_ = deadline; }

  std::int32_t start(sdk::Services& services, socrates_buffer* error) noexcept;
  std::int32_t handle(sdk::Services& services, const socrates_request& request, socrates_buffer* out) noexcept;

 private:
  enum class Outcome { kDone, kDied, kTimedOut };
  using Sessions = std::map<std::int64_t, std::unique_ptr<sdk::DatabaseSession>>;

  std::shared_ptr<Link> launch() {
    return std::make_shared<Link>(std::vector<std::string>{options_.worker.string(), "agent-worker"}, library_,
                                  options_, inside_);
  }
  // Sends `message` as a new call, then serves the child's requests for services with `services`
  // until the child answers with the op `until` (into `reply`), dies, or `deadline` passes.
  Outcome exchange(Link& link, json message, const char* until, sdk::Services& services, Clock::time_point deadline,
                   json& reply);
  void serve(Link& link, std::int64_t call, const json& request, sdk::Services& services, Sessions& sessions);
  // Runs the agent's start() in the child of `link`: empty, or the reason it failed.
  std::string run_start(Link& link, sdk::Services& services);
  // A child ended, or could not be started: when the next may start, or quarantine (false).
  bool count_crash_locked();
  // The child of `link` ended (or was killed): counts it, once, for the restart policy.
  void ended(const std::shared_ptr<Link>& link);
  void ended_locked(std::shared_ptr<Link> link, std::unique_lock<std::mutex>& lock);
  // A child that serves, started again when the last one ended; null and `refused` set when the
  // call must be refused (quarantined, in its backoff, or the new child would not start).
  std::shared_ptr<Link> ready(sdk::Services& services, const std::string& action, sdk::Error* refused);

  fs::path library_;
  IsolationOptions options_;
  std::optional<fs::path> inside_;
  std::chrono::milliseconds deadline_{300000};
  json hello_;
  std::string id_;
  std::atomic<std::int64_t> next_call_{1};
  std::mutex mutex_;  // link_, policy_, next_start_, started_; held while a child is (re)started
  std::shared_ptr<Link> link_;
  RestartPolicy policy_;
  Clock::time_point next_start_{};
  bool started_ = false;  // the agent's start() succeeded once: a new child runs it before its first call
  std::shared_ptr<IsolationStatus> status_;
};

IsolatedChild::Outcome IsolatedChild::exchange(Link& link, json message, const char* until, sdk::Services& services,
                                               Clock::time_point deadline, json& reply) {
  const std::int64_t call = next_call_.fetch_add(1, std::memory_order_relaxed);
  // Closed (rolled back unless committed) when the call ends, however it ends: after the mailbox.
  Sessions sessions;
  const std::shared_ptr<Mailbox> box = link.open(call);
  struct Close {
    Link& link;
    std::int64_t call;
    ~Close() { link.close(call); }
  } close{link, call};
  message["call"] = call;
  if (!link.send(message)) return Outcome::kDied;
  for (;;) {
    std::unique_lock<std::mutex> lock(box->mutex);
    if (!box->ready.wait_until(lock, deadline, [&] { return !box->messages.empty() || box->gone; }))
      return Outcome::kTimedOut;
    if (box->messages.empty()) return Outcome::kDied;
    json next = std::move(box->messages.front());
    box->messages.pop_front();
    lock.unlock();
    if (next.value("op", "") == until) {
      reply = std::move(next);
      return Outcome::kDone;
    }
    try {
      serve(link, call, next, services, sessions);
    } catch (const std::exception& e) {
      // A request the host cannot read: the child is broken, and so is its stream.
      link.kill(std::string("it sent a malformed request (") + e.what() + ")");
      return Outcome::kDied;
    }
  }
}

void IsolatedChild::serve(Link& link, std::int64_t call, const json& request, sdk::Services& services,
                          Sessions& sessions) {
  const std::string op = request.value("op", "");
  auto answer = [&](json reply) {
    reply["op"] = "reply";
    reply["call"] = call;
    link.send(reply);
  };
  auto session = [&]() -> sdk::DatabaseSession* {
    const auto it = sessions.find(request.value("session", std::int64_t{-1}));
    return it == sessions.end() ? nullptr : it->second.get();
  };
  auto no_session = [] {
    sdk::DbStatus status;
    status.kind = sdk::DbStatus::Kind::kQuery;
    status.message = "no such database session";
    return json{{"ok", false}, {"status", status_json(status)}};
  };
  auto db_answer = [](bool ok, const sdk::DbStatus& status) {
    return ok ? json{{"ok", true}} : json{{"ok", false}, {"status", status_json(status)}};
  };
  if (op == "log") {
    const int level = request.value("level", 3);
    services.log(level >= 0 && level <= 3 ? static_cast<sdk::LogLevel>(level) : sdk::LogLevel::kError,
                 request.value("message", std::string()));
  } else if (op == "setting") {
    const auto value = services.setting(request.value("name", std::string()));
    answer({{"value", value ? json(*value) : json()}});
  } else if (op == "llm") {
    sdk::LlmClient* llm = services.llm();
    sdk::LlmResponse response;
    sdk::Error error{sdk::errc::kLlmUnavailable, "no LLM provider is configured", json::object()};
    const sdk::LlmRequest ask = llm_request_from(request.value("request", json::object()));
    const std::string project = request.value("project_id", std::string());
    const bool ok = llm && (project.empty() ? llm->complete(ask, &response, &error)
                                            : llm->complete_for_project(project, ask, &response, &error));
    answer(ok ? json{{"ok", true}, {"response", llm_response_json(response)}}
              : json{{"ok", false}, {"error", abi::error_json(error)}});
  } else if (op == "db_open") {
    sdk::DbStatus status;
    auto opened = services.open_database(static_cast<sdk::Database>(request.value("database", 0)), &status);
    if (!opened) {
      if (status.ok()) status.kind = sdk::DbStatus::Kind::kUnavailable;
      answer({{"status", status_json(status)}});
      return;
    }
    const std::int64_t id = sessions.empty() ? 1 : sessions.rbegin()->first + 1;
    sessions.emplace(id, std::move(opened));
    answer({{"session", id}});
  } else if (op == "db_begin" || op == "db_commit") {
    sdk::DatabaseSession* s = session();
    if (!s) return answer(no_session());
    sdk::DbStatus status;
    answer(db_answer(op == "db_begin" ? s->begin(&status) : s->commit(&status), status));
  } else if (op == "db_rollback") {
    if (sdk::DatabaseSession* s = session()) s->rollback();
  } else if (op == "db_close") {
    sessions.erase(request.value("session", std::int64_t{-1}));
  } else if (op == "db_execute") {
    sdk::DatabaseSession* s = session();
    if (!s) return answer(no_session());
    const std::vector<sdk::Param> params = params_from(request.value("params", json::array()));
    sdk::ResultSet set;
    sdk::DbStatus status;
    const bool ok = s->execute(request.value("sql", std::string()), params.data(), params.size(), &set, &status);
    answer(ok ? json{{"ok", true}, {"rows", rows_json(set)}} : db_answer(false, status));
  } else if (op == "db_batch") {
    sdk::DatabaseSession* s = session();
    if (!s) return answer(no_session());
    std::vector<sdk::Statement> batch;
    for (const auto& statement : request.value("statements", json::array()))
      batch.push_back(
          sdk::Statement{statement.value("sql", std::string()), params_from(statement.value("params", json::array()))});
    std::vector<sdk::ResultSet> sets(batch.size());
    std::size_t failed = 0;
    sdk::DbStatus status;
    if (!s->execute_batch(batch.data(), batch.size(), request.value("commit", false), sets.data(), &failed, &status))
      return answer({{"ok", false}, {"failed", failed}, {"status", status_json(status)}});
    json results = json::array();
    for (const auto& set : sets) results.push_back(rows_json(set));
    answer({{"ok", true}, {"results", std::move(results)}});
  } else {
    throw std::runtime_error("unknown op '" + op + "'");
  }
}

std::string IsolatedChild::run_start(Link& link, sdk::Services& services) {
  json started;
  const json message = {{"op", "start"}, {"llm_provider", services.llm() ? json(services.llm()->provider()) : json()}};
  switch (exchange(link, message, "started", services, Clock::now() + kStartTimeout, started)) {
    case Outcome::kDone:
      if (started.value("ok", false)) return std::string();
      return started.value("error", std::string("it gave no reason"));
    case Outcome::kTimedOut:
      link.kill("its start() did not return within " + std::to_string(kStartTimeout.count()) + " s");
      return "its start() did not return in time";
    case Outcome::kDied: break;
  }
  return "its child process ended while starting (" + link.how() + ")";
}

bool IsolatedChild::count_crash_locked() {
  const auto restart = policy_.crashed(Clock::now());
  status_->crashes.store(policy_.crashes(), std::memory_order_relaxed);
  if (restart) next_start_ = *restart;
  else status_->quarantined.store(true, std::memory_order_relaxed);
  metrics::process().agent_crash(id_, !restart);
  return restart.has_value();
}

void IsolatedChild::ended(const std::shared_ptr<Link>& link) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (link_ == link) ended_locked(link, lock);
}

void IsolatedChild::ended_locked(std::shared_ptr<Link> link, std::unique_lock<std::mutex>& lock) {
  const std::string how = link->how();
  const bool restart = count_crash_locked();
  if (link_ == link) link_.reset();
  log::error(restart ? "isolated agent's child process ended; it is started again at the next call after its backoff"
                     : "isolated agent's child process ended too often; the agent is quarantined until it is reloaded",
             {{"agent", id_}, {"pid", link->pid()}, {"how", how}, {"crashes", policy_.crashes()}});
  // The last reference may be this one: the link's reader is joined outside the lock.
  lock.unlock();
  link.reset();
  lock.lock();
}

std::shared_ptr<Link> IsolatedChild::ready(sdk::Services& services, const std::string& action, sdk::Error* refused) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (link_ && link_->dead()) ended_locked(link_, lock);
  if (policy_.quarantined()) {
    *refused = quarantined_error(id_);
    return nullptr;
  }
  if (link_) return link_;
  const auto now = Clock::now();
  if (now < next_start_) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_start_ - now).count() + 1;
    *refused = sdk::Error{errc::kAgentCrashed,
                          "agent '" + id_ + "' crashed and is started again in " + std::to_string(wait) + " ms",
                          {{"agent", id_}, {"action", action}, {"retry_after_ms", wait}}};
    return nullptr;
  }
  std::string error;
  std::shared_ptr<Link> link;
  try {
    link = launch();
    const json& info = link->hello()["info"];
    // The child loads the library from its path again: a different build there is for a reload.
    if (info != hello_["info"] || link->hello().value("description", json()) != description())
      error = "the library \"" + library_.string() + "\" is not the build this generation loaded (" +
              info.value("agent_id", "") + " " + info.value("agent_version", "") +
              ") — reload the agent to serve the new build";
    else if (started_)
      error = run_start(*link, services);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (error.empty()) {
    link_ = link;
    log::info("isolated agent's child process started again", {{"agent", id_}, {"pid", link->pid()}});
    return link_;
  }
  // A child that cannot be started counts as a crash, so that an agent that never comes back ends
  // quarantined instead of being started for every call.
  log::error("isolated agent's child process could not be started again", {{"agent", id_}, {"error", error}});
  if (link) link->kill("it could not be started");
  count_crash_locked();
  *refused = policy_.quarantined() ? quarantined_error(id_)
                                   : sdk::Error{errc::kAgentCrashed,
                                                "agent '" + id_ + "' crashed and could not be started again",
                                                {{"agent", id_}, {"action", action}}};
  return nullptr;
}

std::int32_t IsolatedChild::start(sdk::Services& services, socrates_buffer* error) noexcept {
  try {
    std::unique_lock<std::mutex> lock(mutex_);
    std::shared_ptr<Link> link = link_;
    std::string reason = link ? run_start(*link, services) : "its child process is not running";
    if (reason.empty()) {
      started_ = true;
      return SOCRATES_OK;
    }
    abi::fill(error, std::move(reason));
  } catch (...) {
    static const char kText[] = "it could not be started";
    abi::fill_static(error, kText, sizeof kText - 1);
  }
  return SOCRATES_FAILED;
}

std::int32_t IsolatedChild::handle(sdk::Services& services, const socrates_request& request,
                                   socrates_buffer* out) noexcept {
  try {
    const auto started = Clock::now();
    const std::string action(abi::view(request.action));
    sdk::Error refused;
    const std::shared_ptr<Link> link = ready(services, action, &refused);
    if (!link) {
      abi::fill(out, abi::dump(abi::error_json(refused)));
      return SOCRATES_FAILED;
    }
    const std::string_view params = abi::view(request.params);
    json message = {{"op", "handle"},
                    {"action", action},
                    {"params", params.empty() ? json::object() : json::parse(params, nullptr, false)},
                    {"user_id", std::string(abi::view(request.user_id))},
                    {"role", std::string(abi::view(request.role))},
                    {"request_id", std::string(abi::view(request.request_id))}};
    // A host flow's bytes between two actions (ABI 2.2) cross as base64: they need not be text.
    const bool in_flow = SOCRATES_ABI_HAS(&request, socrates_request, hand_on);
    if (in_flow && request.handed.size > 0) message["handed"] = crypto::to_base64(abi::view(request.handed));
    json done;
    const Outcome outcome = exchange(*link, std::move(message), "done", services, started + deadline_ + kKillGrace, done);
    if (outcome == Outcome::kDone) {
      const auto error = done.find("error");
      if (error != done.end()) {
        abi::fill(out, abi::dump(*error));
        return SOCRATES_FAILED;
      }
      abi::fill(out, abi::dump(done.value("value", json())));
      const auto handed_on = done.find("hand_on");
      if (in_flow && request.hand_on && handed_on != done.end() && handed_on->is_string()) {
        auto bytes = crypto::from_base64(handed_on->get_ref<const std::string&>());
        if (bytes) abi::fill(request.hand_on, std::move(*bytes));
      }
      const int result = done.value("outcome", 0);
      return result == static_cast<int>(sdk::Outcome::kCreated)     ? SOCRATES_CREATED
             : result == static_cast<int>(sdk::Outcome::kNoContent) ? SOCRATES_NO_CONTENT
                                                                     : SOCRATES_OK;
    }
    sdk::Error error;
    if (outcome == Outcome::kTimedOut) {
      // The orchestrator's watchdog has answered the caller 504; the call cannot be stopped
      // inside the child, so the child goes (and every other call it held with it).
      link->kill("killed: '" + action + "' ran past its deadline of " + std::to_string(deadline_.count()) + " ms");
      error = sdk::Error{errc::kAgentTimeout, "agent '" + id_ + "' did not answer '" + action + "' within its deadline",
                         {{"agent", id_}, {"action", action}, {"deadline_ms", deadline_.count()}}};
    } else {
      error = sdk::Error{errc::kAgentCrashed,
                         "agent '" + id_ + "' crashed while handling '" + action + "'; nothing it had not committed was kept",
                         {{"agent", id_}, {"action", action}, {"reason", link->how()}}};
    }
    ended(link);
    abi::fill(out, abi::dump(abi::error_json(error)));
  } catch (...) {
    static const char kText[] =
        "{\"code\":\"AGENT_CRASHED\",\"message\":\"the isolated agent could not be reached\",\"details\":{}}";
    abi::fill_static(out, kText, sizeof kText - 1);
  }
  return SOCRATES_FAILED;
}

IsolatedChild* child_of(socrates_agent* agent) noexcept { return reinterpret_cast<IsolatedChild*>(agent); }

// The proxy's entry points: PluginAgent calls these as it calls a plugin's own.
socrates_agent* proxy_create(socrates_buffer* error) noexcept {
  static const char kText[] = "an isolated agent is made by load_isolated";
  abi::fill_static(error, kText, sizeof kText - 1);
  return nullptr;
}
void proxy_destroy(socrates_agent* agent) noexcept { delete child_of(agent); }
std::int32_t proxy_describe(socrates_agent* agent, socrates_buffer* out) noexcept {
  try {
    abi::fill(out, abi::dump(child_of(agent)->description()));
    return SOCRATES_OK;
  } catch (...) {
    return SOCRATES_FAILED;
  }
}
std::int32_t proxy_start(socrates_agent* agent, const socrates_host* host, socrates_buffer* error) noexcept {
  return child_of(agent)->start(HostCall::services_of(host), error);
}
std::int32_t proxy_handle(socrates_agent* agent, const socrates_host* host, const socrates_request* request,
                          socrates_buffer* out) noexcept {
  return child_of(agent)->handle(HostCall::services_of(host), *request, out);
}

const socrates_plugin_api kProxyApi = {sizeof(socrates_plugin_api), &proxy_create, &proxy_destroy, &proxy_describe,
                                       &proxy_start, &proxy_handle};

}  // namespace

IsolationOptions isolation_options(const Config& config) {
  IsolationOptions options;
  options.copy_dir = config.plugin_copy_dir;
  options.address_space_bytes = config.agent_memory_limit_mb * 1024 * 1024;
  options.deadline_cap = std::chrono::milliseconds(config.agent_deadline_ms);
  options.restart.max_crashes = static_cast<std::size_t>(config.agent_max_crashes);
  options.restart.window = std::chrono::seconds(config.agent_failure_window_s);
  return options;
}

LoadedPlugin load_isolated(const std::filesystem::path& library, const IsolationOptions& options,
                           const std::optional<std::filesystem::path>& inside) {
  auto child = std::make_unique<IsolatedChild>(library, options, inside);
  const json& info = child->launch_first()["info"];
  LoadedPlugin plugin;
  plugin.info.agent_id = info.value("agent_id", "");
  plugin.info.agent_name = info.value("agent_name", "");
  plugin.info.agent_version = info.value("agent_version", "");
  plugin.info.abi_major = info.value("abi_major", 0);
  plugin.info.abi_minor = info.value("abi_minor", 0);
  plugin.info.built_with = info.value("built_with", "");
  plugin.info.deadline_ms = info.value("deadline_ms", std::uint32_t{0});
  // The agent's own migrations, as the child's loader read and checked them: the host applies them.
  for (const auto& m : info.value("migrations", json::array()))
    plugin.info.migrations.push_back(MigrationFile{m.value("name", ""), m.value("sql", ""), ""});
  child->set_deadline(plugin.info.deadline_within(options.deadline_cap));
  plugin.isolation = child->status();
  try {
    // The PluginAgent owns the child from here (destroy deletes it, which ends its process).
    plugin.agent = std::make_shared<PluginAgent>(plugin.info.agent_id, &kProxyApi,
                                                 reinterpret_cast<socrates_agent*>(child.release()));
  } catch (const std::exception& e) {
    throw PluginError("cannot load plugin \"" + library.string() + "\" isolated: " + e.what());
  }
  plugin.library = library;
  plugin.loaded_at = std::chrono::system_clock::now();
  return plugin;
}

}  // namespace socrates::host::isolation
