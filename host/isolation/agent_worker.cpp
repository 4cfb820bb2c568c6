#include "host/isolation/agent_worker.hpp"

#include "host/crypto/crypto_random.hpp"
#include "host/isolation/frame.hpp"
#include "host/isolation/messages.hpp"
#include "host/plugins/plugin_loader.hpp"

#include <socrates/sdk/detail/abi_bytes.hpp>
#include <socrates/sdk/services.hpp>

#include <unistd.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

namespace socrates::host::isolation {
namespace {

namespace abi = sdk::detail::abi;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The host is gone (or the socket broke): the call ends; the reader ends the process.
struct HostGone : std::runtime_error {
  HostGone() : std::runtime_error("the host closed the socket") {}
};

// A call's wait for the host's reply to one of its service requests.
struct Waiter {
  std::mutex mutex;
  std::condition_variable ready;
  std::optional<json> reply;
  bool gone = false;
};

// The socket to the host: frames written whole under one lock; replies handed by the reader (the
// main thread) to the call that waits for them.
class Channel {
 public:
  explicit Channel(int fd) : fd_(fd) {}

  void send(const json& message) {
    const std::string frame = abi::dump(message);
    std::lock_guard<std::mutex> lock(write_mutex_);
    if (!write_frame(fd_, frame)) throw HostGone();
  }
  void enrol(std::int64_t call, Waiter* waiter) {
    std::lock_guard<std::mutex> lock(waiters_mutex_);
    waiters_[call] = waiter;
  }
  void leave(std::int64_t call) {
    std::lock_guard<std::mutex> lock(waiters_mutex_);
    waiters_.erase(call);
  }
  // The reader: a reply for `call` (dropped when nobody waits for it).
  void deliver(std::int64_t call, json reply) {
    std::lock_guard<std::mutex> lock(waiters_mutex_);
    const auto it = waiters_.find(call);
    if (it == waiters_.end()) return;
    std::lock_guard<std::mutex> waiting(it->second->mutex);
    it->second->reply = std::move(reply);
    it->second->ready.notify_all();
  }
  int fd() const noexcept { return fd_; }

 private:
  int fd_;
  std::mutex write_mutex_;
  std::mutex waiters_mutex_;
  std::map<std::int64_t, Waiter*> waiters_;
};

// One call's side of the channel: its messages carry its number; a service request waits for its
// own reply (one at a time: a plugin calling services from several threads of one call queues).
class CallLink {
 public:
  CallLink(Channel& channel, std::int64_t id) : channel_(channel), id_(id) { channel_.enrol(id_, &waiter_); }
  ~CallLink() { channel_.leave(id_); }
  CallLink(const CallLink&) = delete;
  CallLink& operator=(const CallLink&) = delete;

  void send(json message) {
    message["call"] = id_;
    channel_.send(message);
  }
  json request(json message) {
    std::lock_guard<std::mutex> one_at_a_time(request_mutex_);
    {
      std::lock_guard<std::mutex> lock(waiter_.mutex);
      waiter_.reply.reset();
    }
    send(std::move(message));
    std::unique_lock<std::mutex> lock(waiter_.mutex);
    waiter_.ready.wait(lock, [&] { return waiter_.reply.has_value(); });
    json reply = std::move(*waiter_.reply);
    waiter_.reply.reset();
    return reply;
  }

 private:
  Channel& channel_;
  std::int64_t id_;
  Waiter waiter_;
  std::mutex request_mutex_;
};

bool unavailable(sdk::DbStatus* status) noexcept {
  if (status) {
    status->kind = sdk::DbStatus::Kind::kUnavailable;
    status->message.clear();
  }
  return false;
}

bool failed(const json& reply, sdk::DbStatus* status) noexcept {
  status_from(reply.value("status", json::object()), status);
  return false;
}

// A database session of the host's, by its number within the call.
class RemoteSession final : public sdk::DatabaseSession {
 public:
  RemoteSession(CallLink& link, std::int64_t id) : link_(link), id_(id) {}
  ~RemoteSession() override { notify("db_close"); }
  bool begin(sdk::DbStatus* status) noexcept override { return simple("db_begin", status); }
  bool commit(sdk::DbStatus* status) noexcept override { return simple("db_commit", status); }
  void rollback() noexcept override { notify("db_rollback"); }
  bool execute(std::string_view sql, const sdk::Param* params, std::size_t count, sdk::ResultSet* out,
               sdk::DbStatus* status) noexcept override {
    try {
      const json reply = link_.request(
          {{"op", "db_execute"}, {"session", id_}, {"sql", std::string(sql)}, {"params", params_json(params, count)}});
      if (!reply.value("ok", false)) return failed(reply, status);
      if (out) *out = rows_from(reply.value("rows", json::object()));
      return true;
    } catch (...) {
      return unavailable(status);
    }
  }
  bool execute_batch(const sdk::Statement* statements, std::size_t count, bool commit, sdk::ResultSet* outs,
                     std::size_t* failed_at, sdk::DbStatus* status) noexcept override {
    try {
      json batch = json::array();
      for (std::size_t i = 0; i < count; ++i)
        batch.push_back({{"sql", statements[i].sql},
                         {"params", params_json(statements[i].params.data(), statements[i].params.size())}});
      const json reply =
          link_.request({{"op", "db_batch"}, {"session", id_}, {"statements", std::move(batch)}, {"commit", commit}});
      if (!reply.value("ok", false)) {
        if (failed_at) *failed_at = reply.value("failed", count);
        return failed(reply, status);
      }
      const json results = reply.value("results", json::array());
      for (std::size_t i = 0; outs && i < count && i < results.size(); ++i) outs[i] = rows_from(results[i]);
      return true;
    } catch (...) {
      if (failed_at) *failed_at = count;
      return unavailable(status);
    }
  }

 private:
  void notify(const char* op) noexcept {
    try {
      link_.send({{"op", op}, {"session", id_}});
    } catch (...) {
    }
  }
  bool simple(const char* op, sdk::DbStatus* status) noexcept {
    try {
      const json reply = link_.request({{"op", op}, {"session", id_}});
      return reply.value("ok", false) || failed(reply, status);
    } catch (...) {
      return unavailable(status);
    }
  }
  CallLink& link_;
  std::int64_t id_;
};

class RemoteLlm final : public sdk::LlmClient {
 public:
  RemoteLlm(CallLink& link, std::string provider) : link_(link), provider_(std::move(provider)) {}
  const char* provider() const noexcept override { return provider_.c_str(); }
  bool complete(const sdk::LlmRequest& request, sdk::LlmResponse* out, sdk::Error* error) noexcept override {
    return complete_for_project(std::string(), request, out, error);
  }
  bool complete_for_project(const std::string& project_id, const sdk::LlmRequest& request, sdk::LlmResponse* out,
                            sdk::Error* error) noexcept override {
    try {
      const json reply = link_.request({{"op", "llm"}, {"project_id", project_id}, {"request", llm_request_json(request)}});
      if (!reply.value("ok", false)) {
        if (error) *error = abi::error_from(abi::dump(reply.value("error", json::object())));
        return false;
      }
      if (out) *out = llm_response_from(reply.value("response", json::object()));
      return true;
    } catch (...) {
      try {
        if (error) *error = sdk::Error{sdk::errc::kLlmUnavailable, "the model could not be asked", json::object()};
      } catch (...) {
      }
      return false;
    }
  }

 private:
  CallLink& link_;
  std::string provider_;
};

// The host's services for one call, through the socket.
class RemoteServices final : public sdk::Services {
 public:
  RemoteServices(CallLink& link, const std::optional<std::string>& provider) : link_(link) {
    if (provider) llm_ = std::make_unique<RemoteLlm>(link_, *provider);
  }
  std::unique_ptr<sdk::DatabaseSession> open_database(sdk::Database which, sdk::DbStatus* status) noexcept override {
    try {
      const json reply = link_.request({{"op", "db_open"}, {"database", static_cast<int>(which)}});
      const auto session = reply.find("session");
      if (session == reply.end() || !session->is_number_integer()) {
        if (status) status_from(reply.value("status", json::object()), status);
        return nullptr;
      }
      return std::make_unique<RemoteSession>(link_, session->get<std::int64_t>());
    } catch (...) {
      unavailable(status);
      return nullptr;
    }
  }
  void log(sdk::LogLevel level, std::string_view message) noexcept override {
    try {
      link_.send({{"op", "log"}, {"level", static_cast<int>(level)}, {"message", std::string(message)}});
    } catch (...) {
    }
  }
  std::optional<std::string> setting(std::string_view name) const noexcept override {
    try {
      const json reply = link_.request({{"op", "setting"}, {"name", std::string(name)}});
      const auto value = reply.find("value");
      if (value == reply.end() || !value->is_string()) return std::nullopt;
      return value->get<std::string>();
    } catch (...) {
      return std::nullopt;
    }
  }
  sdk::LlmClient* llm() noexcept override { return llm_.get(); }

 private:
  CallLink& link_;
  std::unique_ptr<RemoteLlm> llm_;
};

json description_of(const PluginAgent& agent) {
  json actions = json::array();
  for (const auto& name : agent.capabilities()) {
    json action = {{"name", name}, {"internal", agent.is_internal(name)}};
    const auto tool = agent.tools().find(name);
    if (tool != agent.tools().end())
      action["tool"] = {{"description", tool->second.description}, {"input_schema", tool->second.input_schema}};
    actions.push_back(std::move(action));
  }
  return {{"id", agent.id()}, {"actions", std::move(actions)}};
}

json info_json(const PluginInfo& info) {
  json migrations = json::array();
  for (const auto& m : info.migrations) migrations.push_back({{"name", m.name}, {"sql", m.sql}});
  return {{"agent_id", info.agent_id},       {"agent_name", info.agent_name}, {"agent_version", info.agent_version},
          {"abi_major", info.abi_major},     {"abi_minor", info.abi_minor},   {"built_with", info.built_with},
          {"deadline_ms", info.deadline_ms}, {"migrations", migrations}};
}

// The agent and what its calls share: the LLM provider the host named at start.
class Worker {
 public:
  Worker(Channel& channel, LoadedPlugin plugin) : channel_(channel), plugin_(std::move(plugin)) {}

  // One call of the host's, on its own thread.
  void run(const json& message) noexcept {
    try {
      const std::int64_t id = message.value("call", std::int64_t{-1});
      CallLink link(channel_, id);
      const std::string op = message.value("op", "");
      if (op == "start") {
        {
          std::lock_guard<std::mutex> lock(mutex_);
          const auto provider = message.find("llm_provider");
          llm_provider_ = provider != message.end() && provider->is_string()
                              ? std::optional<std::string>(provider->get<std::string>())
                              : std::nullopt;
        }
        RemoteServices services(link, provider());
        std::string error;
        const bool ok = plugin_.agent->start(services, &error);
        link.send({{"op", "started"}, {"ok", ok}, {"error", error}});
        return;
      }
      sdk::Caller caller;
      caller.user_id = message.value("user_id", "");
      caller.role = message.value("role", "");
      caller.request_id = message.value("request_id", "");
      const auto params = message.find("params");
      sdk::Request request{message.value("action", ""),
                           params != message.end() && params->is_object() ? *params : json::object(), caller, ""};
      // A host flow's bytes (ABI 2.2), as base64 both ways.
      const auto handed = message.find("handed");
      if (handed != message.end() && handed->is_string())
        request.handed = crypto::from_base64(handed->get_ref<const std::string&>()).value_or("");
      RemoteServices services(link, provider());
      sdk::Result result = plugin_.agent->handle(request, services);
      if (!result.is_ok()) {
        link.send({{"op", "done"}, {"error", abi::error_json(result.error())}});
      } else {
        json done = {{"op", "done"}, {"outcome", static_cast<int>(result.outcome())}, {"value", result.value()}};
        if (!result.handed_on().empty()) done["hand_on"] = crypto::to_base64(result.handed_on());
        link.send(std::move(done));
      }
    } catch (...) {
      // The host is gone (the reader ends the process), or nothing could be allocated.
    }
  }

 private:
  std::optional<std::string> provider() {
    std::lock_guard<std::mutex> lock(mutex_);
    return llm_provider_;
  }

  Channel& channel_;
  LoadedPlugin plugin_;
  std::mutex mutex_;
  std::optional<std::string> llm_provider_;
};

}  // namespace

int run_agent_worker(int fd, const std::filesystem::path& library, const std::filesystem::path& copy_dir,
                     const std::optional<std::filesystem::path>& inside) {
  // Past its address-space limit the child ends, and the host starts a fresh one: an agent that
  // leaks is not left limping on with allocations failing.
  std::set_new_handler([] { ::_exit(kOutOfMemoryExit); });
  Channel channel(fd);
  try {
    LoadedPlugin plugin;
    try {
      plugin = PluginLoader(copy_dir).load(library, inside);
    } catch (const std::exception& e) {
      channel.send({{"op", "failed"}, {"error", e.what()}});
      return 1;
    }
    channel.send({{"op", "hello"}, {"info", info_json(plugin.info)}, {"description", description_of(*plugin.agent)}});
    // Never destroyed: the process ends with ::_exit below, while calls may still run.
    auto* worker = new Worker(channel, std::move(plugin));
    for (;;) {
      std::string frame;
      if (read_frame(fd, frame, Clock::time_point::max()) != FrameStatus::kOk) break;
      json message = json::parse(frame, nullptr, false);
      if (!message.is_object()) break;  // the stream cannot be trusted any more
      const std::string op = message.value("op", "");
      if (op == "reply") {
        const std::int64_t call = message.value("call", std::int64_t{-1});
        channel.deliver(call, std::move(message));
      } else if (op == "start" || op == "handle") {
        try {
          std::thread([worker, message = std::move(message)] { worker->run(message); }).detach();
        } catch (const std::system_error&) {
          ::_exit(kOutOfMemoryExit);  // no thread could be had: its stack did not fit in the limit
        }
      }
    }
  } catch (const std::exception&) {
  }
  // The host is gone: calls still running are abandoned with the process (the host has answered
  // them), and the agent's destructor is not run (it could wait on them).
  ::_exit(0);
}

}  // namespace socrates::host::isolation
