#include "host/app/commands.hpp"

#include "host/app/service_container.hpp"
#include "host/auth/account_service.hpp"
#include "host/auth/expiry_sweeper.hpp"
#include "host/db/migrator.hpp"
#include "host/isolation/agent_worker.hpp"
#include "host/isolation/child_process.hpp"
#include "host/isolation/isolated_plugin.hpp"
#include "host/llm/llm_client.hpp"
#include "host/log/json_log.hpp"
#include "host/mcp/stdio_transport.hpp"
#include "host/notify/webhook.hpp"
#include "host/plugins/library_file.hpp"
#include "host/rest/api.hpp"
#include "host/rest/server.hpp"

#include <socrates/sdk/version.hpp>

#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

namespace socrates::host {
namespace {

const char* const kUsage =
    "usage: socrates-host [COMMAND] [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  serve          run the service (the default)  [--port N] [--threads N] [--plugins LIST]\n"
    "  migrate        apply pending migrations to both databases and exit\n"
    "  create-admin   --email E [--promote]: create an admin account (the password is read from\n"
    "                 standard input, or asked for on a terminal), or with --promote make an\n"
    "                 existing account an admin (its password stays; none is read)\n"
    "  doctor         check configuration, databases, the secret, the LLM provider and every plugin;\n"
    "                 print each fix\n"
    "  plugin-check   PATH: check and load a plugin library as serve would and print its descriptor;\n"
    "                 isolated:PATH loads it in a child process, as PLUGINS=isolated:PATH does\n"
    "  mcp            the MCP server on standard input/output (newline-delimited JSON-RPC) for an\n"
    "                 assistant that starts a local process; authenticated by the personal access\n"
    "                 token in SOCRATES_TOKEN (POST /api/v1/auth/tokens); logs go to standard error\n"
    "  agent-worker   the child process of an isolated agent (PLUGINS=isolated:PATH), started by\n"
    "                 the host itself; not for use by hand\n"
    "\n"
    "Configuration is the environment (and an optional .env file, or ENV_FILE): DATABASE_URL_AUTH,\n"
    "DATABASE_URL_SPECS, SECRET_KEY, PORT, THREADS, WORKERS, PLUGINS, LLM_PROVIDER, LOG_LEVEL, ...\n"
    "See README.md.\n";

// Options that take no value.
const std::set<std::string> kFlags = {"promote"};

// --name value pairs (and the flags above, as "true") after the subcommand.
std::optional<std::map<std::string, std::string>> parse_options(const std::vector<std::string>& args, std::size_t from,
                                                               std::ostream& err) {
  std::map<std::string, std::string> options;
  for (std::size_t i = from; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      err << "unexpected argument '" << a << "'\n";
      return std::nullopt;
    }
    const auto eq = a.find('=');
    if (kFlags.count(a.substr(2))) {
      options[a.substr(2)] = "true";
    } else if (eq != std::string::npos) {
      options[a.substr(2, eq - 2)] = a.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      options[a.substr(2)] = args[++i];
    } else {
      err << "option " << a << " needs a value\n";
      return std::nullopt;
    }
  }
  return options;
}

std::optional<Config> load(const Environment& env, RequiredFor purpose, std::ostream& err) {
  try {
    return load_config(env, purpose);
  } catch (const ConfigError& e) {
    err << "socrates-host: " << e.what() << "\n";
    return std::nullopt;
  }
}

std::unique_ptr<ServiceContainer> open_container(Config config, std::ostream& err) {
  try {
    return std::make_unique<ServiceContainer>(std::move(config));
  } catch (const sdk::DatabaseError& e) {
    err << "socrates-host: " << e.what()
        << "\n  fix: check DATABASE_URL_AUTH / DATABASE_URL_SPECS and that PostgreSQL is running "
           "(scripts/run.sh starts a local one)\n";
    return nullptr;
  }
}

// Applies (or, with apply=false, only checks) the migrations of both databases.
bool migrate_all(ServiceContainer& c, bool apply, std::ostream& out, std::ostream& err) {
  for (ConnectionPool* each : {&c.auth_pool(), &c.specs_pool()}) {
    ConnectionPool& pool = *each;
    Migrator migrator(pool, c.config().migrations_dir / pool.name());
    try {
      if (apply) {
        const auto applied = migrator.apply();
        out << pool.name() << ": " << applied.size() << " migration(s) applied";
        for (const auto& name : applied) out << (name == applied.front() ? " (" : ", ") << name;
        out << (applied.empty() ? "" : ")") << "\n";
      } else {
        const auto status = migrator.status();
        if (!status.up_to_date()) {
          err << pool.name() << ": " << status.pending.size() << " pending and " << status.changed.size()
              << " changed migration(s): run `socrates-host migrate`\n";
          return false;
        }
      }
    } catch (const std::exception& e) {
      err << "socrates-host: " << e.what() << "\n";
      return false;
    }
  }
  return true;
}

// What serving needs, for `serve` and `mcp` alike: the container, both databases migrated (or
// checked, without AUTO_MIGRATE) and the configured agents loaded; nothing, said on `err`, otherwise.
std::unique_ptr<ServiceContainer> serving_container(const Config& config, std::ostream& out, std::ostream& err) {
  auto container = open_container(config, err);
  if (!container || !migrate_all(*container, config.auto_migrate, out, err)) return nullptr;
  try {
    container->agents().load_configured();
  } catch (const std::exception& e) {
    err << "socrates-host: a required plugin failed to load: " << e.what() << "\n";
    return nullptr;
  }
  return container;
}

volatile std::sig_atomic_t g_stop = 0;

}  // namespace

int serve(const Environment& env, std::ostream& out, std::ostream& err) {
  auto config = load(env, RequiredFor::kServe, err);
  if (!config) return 2;
  log::init(config->log_level);
  // Block the stop signals before any thread starts (the pools, the password hashers, the sweeper,
  // the server's), so every thread inherits the mask and only sigwait below sees them: a SIGTERM
  // that reached a thread with the default action would end the process without a clean stop.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto container = serving_container(*config, out, err);
  if (!container) return 1;
  auth::AccountService accounts(container->auth_pool(), container->config());
  auth::ExpirySweeper sweeper(
      [&accounts] {
        const auto deleted = accounts.delete_expired();
        if (!deleted.is_null()) log::info("expired logins, tokens and counters deleted", deleted);
      },
      std::chrono::seconds(config->cleanup_interval_s));
  std::unique_ptr<notify::WebhookSender> invitation_hook;
  if (!config->invitation_hook_url.empty())
    invitation_hook = std::make_unique<notify::WebhookSender>(
        notify::WebhookOptions{config->invitation_hook_url, config->invitation_hook_secret},
        std::make_shared<llm::CurlTransport>(64 * 1024));
  rest::ApiContext api{container->orchestrator(), accounts, container->agents(), *container, invitation_hook.get(),
                       config->web_dir, config->docs_dir, config->node_modules_dir};
  rest::ServerOptions options;
  options.address = config->bind_address;
  options.port = static_cast<std::uint16_t>(config->port);
  options.threads = config->threads;
  options.workers = static_cast<std::size_t>(config->workers);
  options.max_blocked = static_cast<std::size_t>(config->llm_concurrency);
  options.max_body_bytes = config->max_body_bytes;
  options.max_queued = static_cast<std::size_t>(config->worker_queue);
  options.max_connections = static_cast<std::size_t>(config->max_connections);
  options.header_timeout = std::chrono::seconds(config->http_header_timeout_s);
  options.body_timeout = std::chrono::seconds(config->http_body_timeout_s);
  options.keepalive_timeout = std::chrono::seconds(config->http_keepalive_timeout_s);
  options.cors_origins = config->cors_origins;
  options.access_log = config->public_settings.count("ACCESS_LOG") == 0 ||
                       config->public_settings.at("ACCESS_LOG") != "false";

  rest::Server server(options, rest::build_router(api));
  try {
    server.start();
  } catch (const std::exception& e) {
    err << "socrates-host: cannot listen on " << config->bind_address << ":" << config->port << ": " << e.what()
        << "\n  fix: choose another PORT, or stop what is using it\n";
    return 1;
  }
  log::info("listening", {{"port", server.port()}, {"threads", options.threads}, {"workers", options.workers},
                          {"llm_provider", container->llm() ? container->llm()->provider() : "builtin"},
                          {"agents", container->agents().list().size()}});
  int signal = 0;
  // SIGHUP reloads every agent from its configured library (a deploy writes the new build
  // elsewhere, renames it over the old path, then signals); SIGINT/SIGTERM stop.
  while (sigwait(&signals, &signal) == 0 && signal == SIGHUP) container->agents().reload_all();
  log::info("shutting down", {{"signal", signal}});
  server.shutdown();
  return 0;
}

int mcp_stdio(const Environment& env, std::istream& in, std::ostream& out, std::ostream& err) {
  const auto token = env.get("SOCRATES_TOKEN");
  if (!token || token->empty()) {
    err << "socrates-host mcp: SOCRATES_TOKEN is not set\n  fix: create a personal access token (POST "
           "/api/v1/auth/tokens, docs/mcp.md) and give it to the assistant's MCP configuration as SOCRATES_TOKEN\n";
    return 2;
  }
  auto config = load(env, RequiredFor::kServe, err);
  if (!config) return 2;
  log::init(config->log_level);  // standard error: standard output carries the protocol alone
  auto container = serving_container(*config, err, err);
  if (!container) return 1;
  auth::AccountService accounts(container->auth_pool(), container->config());
  const std::string authorization = "Bearer " + *token;
  mcp::Authenticator authenticate = [&] {
    try {
      return accounts.authenticate(authorization, "stdio", auth::Credentials::kAccessOrPersonalToken);
    } catch (const std::exception& e) {  // the accounts database is unreachable: refuse this message
      log::error("authentication failed", {{"error", e.what()}});
      return std::variant<auth::AuthContext, sdk::Error>(
          sdk::Error{sdk::errc::kDatabaseUnavailable, "the accounts database is unavailable", {}});
    }
  };
  auto first = authenticate();
  if (auto* refused = std::get_if<sdk::Error>(&first)) {
    err << "socrates-host mcp: SOCRATES_TOKEN was refused (" << refused->code << ": " << refused->message
        << ")\n  fix: create a new personal access token (POST /api/v1/auth/tokens)\n";
    return 1;
  }
  mcp::McpServer server(container->orchestrator(), SOCRATES_VERSION);
  log::info("MCP server on standard input/output", {{"user_id", std::get<auth::AuthContext>(first).caller.user_id}});
  return mcp::run_stdio(server, std::get<auth::AuthContext>(first), authenticate, in, out, config->max_body_bytes);
}

int migrate(const Environment& env, std::ostream& out, std::ostream& err) {
  auto config = load(env, RequiredFor::kMigrate, err);
  if (!config) return 2;
  log::init(config->log_level);
  auto container = open_container(*config, err);
  if (!container) return 1;
  return migrate_all(*container, true, out, err) ? 0 : 1;
}

namespace {

// Reads one line from the terminal with echo off; restores the terminal whatever happens.
std::optional<std::string> ask_quietly(const std::string& prompt, std::istream& in, std::ostream& err) {
  err << prompt << std::flush;
  termios saved{};
  const bool terminal = ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  const bool read = static_cast<bool>(std::getline(in, line));
  if (terminal) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  err << "\n";
  if (!read) return std::nullopt;
  return line;
}

// The new admin's password: asked for twice without echo on a terminal, else the first line of
// standard input. Never an argument: `ps` shows every process's arguments to every local user,
// and shells keep them in their history.
std::optional<std::string> read_password(const std::string& email, std::istream& in, bool terminal,
                                         std::ostream& err) {
  if (terminal) {
    const auto first = ask_quietly("password for " + email + ": ", in, err);
    if (!first) return std::nullopt;
    const auto again = ask_quietly("the same password again: ", in, err);
    if (!again) return std::nullopt;
    if (*first != *again) {
      err << "socrates-host: the two passwords differ; nothing was changed\n";
      return std::nullopt;
    }
    return first;
  }
  std::string line;
  if (!std::getline(in, line)) {
    err << "socrates-host: no password on standard input: pipe it in, e.g. "
           "`printf '%s\\n' \"$ADMIN_PASSWORD\" | socrates-host create-admin --email E`, or run the command "
           "on a terminal to be asked for it\n";
    return std::nullopt;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

int create_admin(const Environment& env, const std::string& email, bool promote, std::istream& in, bool terminal,
                 std::ostream& out, std::ostream& err) {
  if (!auth::AccountService::is_valid_email(email)) {
    err << "socrates-host: '" << email << "' is not a valid email address\n";
    return 2;
  }
  auto config = load(env, RequiredFor::kMigrate, err);
  if (!config) return 2;
  log::init(config->log_level);
  auto container = open_container(*config, err);
  if (!container) return 1;
  if (!migrate_all(*container, false, out, err)) return 1;
  try {
    // Decided before asking for a password, so that a promotion reads none and a refusal asks for
    // nothing in vain.
    if (auth::AccountService::account_exists(container->auth_pool(), email)) {
      if (!promote) {
        err << "socrates-host: an account with the email " << email
            << " exists already; nothing was changed — add --promote to make it an admin (its password stays)\n";
        return 1;
      }
      out << auth::AccountService::promote_admin(container->auth_pool(), email) << "\n";
      return 0;
    }
    const auto password = read_password(email, in, terminal, err);
    if (!password) return 1;
    out << auth::AccountService::create_admin(container->auth_pool(), email, *password) << "\n";
    return 0;
  } catch (const sdk::AgentException& e) {
    err << "socrates-host: " << e.what() << "\n";
  } catch (const std::exception& e) {
    err << "socrates-host: cannot create the admin account: " << e.what() << "\n";
  }
  return 1;
}

// Loads a library to check it, as serve would: an isolated one (PLUGINS=isolated:PATH) in a child
// process of its own, so that a library that crashes as it loads is a problem reported, not the end
// of the command. Private copies go to new directories with random names (mode 0700) in TMPDIR:
// `loader`'s, removed when it goes (so it must outlive the plugin), or the child's own.
LoadedPlugin load_to_check(const PluginLoader& loader, const std::filesystem::path& library, bool isolated,
                           isolation::IsolationOptions options = {}) {
  if (!isolated) return loader.load(library);
  options.copy_dir = std::filesystem::temp_directory_path();
  return isolation::load_isolated(library, options);
}

int plugin_check(const std::string& argument, const Environment& env, std::ostream& out, std::ostream& err) {
  // PATH or isolated:PATH, read as an entry of PLUGINS is (a relative path stays relative).
  const std::vector<PluginSpec> specs = parse_plugin_list(argument, {});
  if (specs.size() != 1) {
    err << "plugin-check: give one library (PATH or isolated:PATH), not '" << argument << "'\n";
    return 2;
  }
  const bool isolated = specs[0].isolated;
  const std::string library = specs[0].library.string();
  try {
    PluginLoader loader(std::filesystem::temp_directory_path());
    LoadedPlugin plugin = load_to_check(loader, library, isolated);
    const auto& info = plugin.info;
    out << "ok: " << library << "\n"
        << "  id:           " << info.agent_id << "\n"
        << "  name:         " << info.agent_name << "\n"
        << "  version:      " << info.agent_version << "\n"
        << "  abi:          " << info.abi_version() << " (host " << SOCRATES_ABI_VERSION_MAJOR << "."
        << SOCRATES_ABI_VERSION_MINOR << ")\n"
        << "  built with:   " << (info.built_with.empty() ? "(not said)" : info.built_with) << " (never checked)\n"
        << "  isolated:     " << (isolated ? "yes, it loaded in a child process" : "no") << "\n"
        << "  capabilities:";
    const auto capabilities = plugin.agent->public_capabilities();
    if (capabilities.empty()) out << " (none)";
    for (const auto& c : capabilities) out << " " << c;
    out << "\n";
    if (!plugin.agent->internal_capabilities().empty()) {
      out << "  internal:    ";
      for (const auto& c : plugin.agent->internal_capabilities()) out << " " << c;
      out << "\n";
    }
    if (!info.migrations.empty()) {
      out << "  migrations:  ";
      for (const auto& m : info.migrations) out << " " << m.name;
      out << " (applied in schema \"" << info.agent_id << "\" at load)\n";
    }
    // serve loads it from anywhere when PLUGINS lists it, but a reload request only from PLUGIN_DIR.
    const std::filesystem::path plugin_dir = env.get("PLUGIN_DIR").value_or(SOCRATES_DEFAULT_PLUGIN_DIR);
    std::error_code ec;
    const auto dir = std::filesystem::canonical(plugin_dir, ec);
    const auto file = std::filesystem::canonical(library, ec);
    if (dir.empty() || !is_inside(file, dir))
      out << "  note:         outside PLUGIN_DIR (" << plugin_dir.string()
          << "): serve loads it when PLUGINS lists it, a reload request cannot name it\n";
    return 0;
  } catch (const std::exception& e) {
    err << "incompatible: " << e.what() << "\n";
    return 1;
  }
}

int doctor(const Environment& env, std::ostream& out, std::ostream& err) {
  int problems = 0;
  auto problem = [&](const std::string& text) {
    ++problems;
    out << "  ✗ " << text << "\n";
  };
  auto ok = [&](const std::string& text) { out << "  ✓ " << text << "\n"; };

  out << "configuration\n";
  const auto config_issues = config_problems(env, RequiredFor::kServe);
  for (const auto& p : config_issues) problem(p);
  if (config_issues.empty()) ok("every required setting is present");
  std::optional<Config> config;
  try {
    config = load_config(env, RequiredFor::kMigrate);
  } catch (const ConfigError&) {
  }

  out << "databases\n";
  if (!config) {
    problem("cannot check the databases until DATABASE_URL_AUTH and DATABASE_URL_SPECS are set");
  } else {
    for (auto [name, url] : {std::pair<std::string, std::string>{"auth", config->database_url_auth},
                             std::pair<std::string, std::string>{"specs", config->database_url_specs}}) {
      try {
        ConnectionPool pool(name, url, 1, std::chrono::milliseconds(3000));
        Migrator migrator(pool, config->migrations_dir / name);
        const auto status = migrator.status();
        if (!status.changed.empty())
          problem(name + ": applied migrations changed on disk (" + status.changed.front() +
                  "…): restore them from version control and put changes in new migrations");
        else if (!status.pending.empty())
          problem(name + ": " + std::to_string(status.pending.size()) +
                  " migration(s) pending: run `socrates-host migrate`");
        else
          ok(name + ": reachable, " + std::to_string(status.applied.size()) + " migration(s) applied");
      } catch (const std::exception& e) {
        std::string what = e.what();
        problem(name + ": " + what + " — check DATABASE_URL_" + (name == "auth" ? "AUTH" : "SPECS") +
                " and that PostgreSQL is running (scripts/run.sh starts a local one)");
      }
    }
  }

  out << "secret\n";
  const auto secret = env.get("SECRET_KEY");
  if (!secret || secret->size() < 32)
    problem("SECRET_KEY must be at least 32 random characters: `head -c 48 /dev/urandom | base64`");
  else
    ok("SECRET_KEY is set (" + std::to_string(secret->size()) + " characters)");

  out << "llm\n";
  if (!config) {
    problem("cannot check the LLM provider until the configuration above loads");
  } else if (config->llm_provider == "builtin") {
    ok("LLM_PROVIDER=builtin: the built-in engine asks and extracts; no provider to reach");
  } else {
    try {
      const auto client = llm::make_llm_client(*config, nullptr);
      const auto* http = dynamic_cast<const llm::HttpLlmClient*>(client.get());
      if (!http) throw std::logic_error("no HTTP client for LLM_PROVIDER=" + config->llm_provider);
      const llm::ProviderCheck check = http->check();
      if (!check.problem.empty()) {
        problem(check.problem);
      } else {
        ok(config->llm_provider + " at " + http->options().base_url + ": reachable, key accepted, " +
           std::to_string(check.models.size()) + " model(s) offered");
        if (!check.model_listed) {
          // A warning, not a problem: providers resolve aliases they do not list.
          std::string some;
          for (std::size_t i = 0; i < check.models.size() && i < 5; ++i) some += (i ? ", " : "") + check.models[i];
          if (check.models.size() > 5) some += ", …";
          out << "  ! LLM_MODEL '" << http->options().model << "' is not in its list"
              << (some.empty() ? "" : " (" + some + ")")
              << ": check the name, unless it is an alias the provider resolves\n";
        }
      }
    } catch (const std::exception& e) {
      problem(std::string("the LLM client could not be made: ") + e.what());
    }
  }

  out << "plugins\n";
  if (config) {
    std::map<std::string, std::string> seen;
    PluginLoader loader(std::filesystem::temp_directory_path());
    for (const auto& spec : config->plugins) {
      try {
        LoadedPlugin plugin = load_to_check(loader, spec.library, spec.isolated, isolation::isolation_options(*config));
        const std::string id = plugin.info.agent_id;
        if (seen.count(id))
          problem("duplicate agent id '" + id + "' in " + spec.library.string() + " and " + seen[id] +
                  ": list only one of them in PLUGINS");
        else
          ok(id + " " + plugin.info.agent_version + " from " + spec.library.string() +
             (spec.isolated ? " (isolated: loaded in a child process)" : ""));
        seen[id] = spec.library.string();
      } catch (const std::exception& e) {
        if (spec.required)
          problem(e.what());
        else
          out << "  ! optional: " << e.what() << "\n";
      }
    }
  }
  if (problems == 0) {
    out << "no problems found\n";
    return 0;
  }
  err << problems << " problem(s) found\n";
  return 1;
}

int run_command(const std::vector<std::string>& args, const Environment& base_env, std::ostream& out,
                std::ostream& err) {
  const std::string command = args.size() > 1 ? args[1] : "serve";
  const bool explicit_command = args.size() > 1 && args[1].rfind("--", 0) != 0;
  const std::string name = explicit_command ? command : "serve";
  const std::size_t options_from = explicit_command ? 2 : 1;

  // LIBRARY COPY_DIR [INSIDE], from the host (host/isolation/isolated_plugin.cpp), with its socket
  // at descriptor 3.
  if (name == "agent-worker") {
    if (args.size() < 4 || args.size() > 5) {
      err << "usage: socrates-host agent-worker LIBRARY COPY_DIR [INSIDE] (started by the host for isolated agents)\n";
      return 2;
    }
    return isolation::run_agent_worker(isolation::ChildProcess::kChildFd, args[2], args[3],
                                       args.size() == 5 ? std::optional<std::filesystem::path>(args[4]) : std::nullopt);
  }

  for (std::size_t i = 1; i < args.size(); ++i)
    if (args[i] == "--help" || args[i] == "-h" || args[i] == "help") {
      out << kUsage;
      return 0;
    }

  if (name == "plugin-check") {
    if (args.size() != 3) {
      err << "usage: socrates-host plugin-check PATH (or isolated:PATH)\n";
      return 2;
    }
    return plugin_check(args[2], base_env, out, err);
  }

  auto options = parse_options(args, options_from, err);
  if (!options) {
    err << kUsage;
    return 2;
  }
  // Command-line options override the environment's settings of the same name.
  auto values = base_env.values();
  for (const auto& [option, env_name] :
       std::map<std::string, std::string>{{"port", "PORT"}, {"threads", "THREADS"}, {"plugins", "PLUGINS"}})
    if (options->count(option)) values[env_name] = options->at(option);
  const Environment env = Environment::from_map(values);

  if (name == "serve") return serve(env, out, err);
  if (name == "migrate") return migrate(env, out, err);
  if (name == "doctor") return doctor(env, out, err);
  if (name == "mcp") return mcp_stdio(env, std::cin, out, err);
  if (name == "create-admin") {
    if (options->count("password")) {
      err << "socrates-host: --password is refused: every local user can read a command's arguments (`ps`), "
             "and shells keep them in their history. Give the password on standard input (one line), "
             "or run the command on a terminal and type it at the prompt\n";
      return 2;
    }
    if (!options->count("email")) {
      err << "usage: socrates-host create-admin --email E [--promote]   (the password is read from standard "
             "input)\n";
      return 2;
    }
    return create_admin(env, options->at("email"), options->count("promote") > 0 && options->at("promote") != "false", std::cin,
                        ::isatty(STDIN_FILENO) == 1, out, err);
  }
  err << "unknown command '" << name << "'\n" << kUsage;
  return 2;
}

}  // namespace socrates::host
