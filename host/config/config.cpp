#include "host/config/config.hpp"

#include "host/auth/client_address.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <cerrno>
#include <unistd.h>

extern char** environ;

namespace socrates::host {
namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// Settings an agent must never see through Services::setting: ours, and anything that looks like
// a credential (another provider's key, a replica URL with its password, ...), in any case.
bool is_secret(const std::string& raw_name) {
  std::string name = raw_name;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  static const std::set<std::string> kSecrets = {"SECRET_KEY", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "LLM_API_KEY",
                                                 "PGPASSWORD"};
  if (kSecrets.count(name) || name.rfind("DATABASE_URL", 0) == 0) return true;
  for (const char* marker : {"PASSWORD", "SECRET", "TOKEN", "API_KEY", "PRIVATE_KEY", "CREDENTIAL"})
    if (name.find(marker) != std::string::npos) return true;
  return false;
}

class Reader {
 public:
  explicit Reader(const Environment& env) : env_(env) {}

  std::string text(const std::string& name, const std::string& fallback) const {
    auto value = env_.get(name);
    return value && !value->empty() ? *value : fallback;
  }

  std::string required(const std::string& name, const std::string& fix) {
    auto value = env_.get(name);
    if (!value || value->empty()) {
      problems_.push_back(name + " is not set: " + fix);
      return "";
    }
    return *value;
  }

  long integer(const std::string& name, long fallback, long min, long max) {
    auto value = env_.get(name);
    if (!value || value->empty()) return fallback;
    char* end = nullptr;
    errno = 0;
    const long parsed = std::strtol(value->c_str(), &end, 10);
    if (errno != 0 || end == value->c_str() || *end != '\0' || parsed < min || parsed > max) {
      problems_.push_back(name + "='" + *value + "' is not a whole number between " + std::to_string(min) + " and " +
                          std::to_string(max));
      return fallback;
    }
    return parsed;
  }

  bool boolean(const std::string& name, bool fallback) {
    auto value = env_.get(name);
    if (!value || value->empty()) return fallback;
    std::string v = *value;
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
    if (v == "0" || v == "false" || v == "no" || v == "off") return false;
    problems_.push_back(name + "='" + *value + "' is not a boolean (true/false)");
    return fallback;
  }

  void problem(std::string text) { problems_.push_back(std::move(text)); }
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  const Environment& env_;
  std::vector<std::string> problems_;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::string item;
  for (char c : text) {
    if (c == ',' || c == '\n') {
      if (!trim(item).empty()) items.push_back(trim(item));
      item.clear();
    } else {
      item += c;
    }
  }
  if (!trim(item).empty()) items.push_back(trim(item));
  return items;
}

Config read(const Environment& env, RequiredFor purpose, std::vector<std::string>* problems) {
  Reader r(env);
  Config c;
  const std::string db_fix =
      "set it to a PostgreSQL URL such as postgresql://user:password@localhost:5432/socrates_auth "
      "(scripts/run.sh starts a local cluster and sets both URLs for you)";
  c.database_url_auth = r.required("DATABASE_URL_AUTH", db_fix);
  c.database_url_specs = r.required("DATABASE_URL_SPECS", db_fix);
  if (purpose != RequiredFor::kMigrate) {
    c.secret_key = r.required("SECRET_KEY",
                              "set it to a random string of at least 32 characters, for example the output of "
                              "`head -c 48 /dev/urandom | base64`");
    if (!c.secret_key.empty() && c.secret_key.size() < 32)
      r.problem("SECRET_KEY is too short (" + std::to_string(c.secret_key.size()) +
                " characters): use at least 32 random characters, e.g. `head -c 48 /dev/urandom | base64`");
  }
  c.access_token_expire_minutes = static_cast<int>(r.integer("ACCESS_TOKEN_EXPIRE_MINUTES", 30, 1, 24 * 60));
  c.refresh_token_expire_days = static_cast<int>(r.integer("REFRESH_TOKEN_EXPIRE_DAYS", 14, 1, 365));

  c.llm_provider = r.text("LLM_PROVIDER", "builtin");
  c.anthropic_api_key = r.text("ANTHROPIC_API_KEY", "");
  c.llm_api_key = r.text("LLM_API_KEY", r.text("OPENAI_API_KEY", ""));
  c.llm_base_url = r.text("LLM_BASE_URL", "");
  c.llm_model = r.text("LLM_MODEL", "");
  c.llm_timeout_s = static_cast<int>(r.integer("LLM_TIMEOUT_S", 60, 1, 3600));
  c.llm_connect_timeout_s = static_cast<int>(r.integer("LLM_CONNECT_TIMEOUT_S", 10, 1, 600));
  c.llm_max_retries = static_cast<int>(r.integer("LLM_MAX_RETRIES", 2, 0, 10));
  c.llm_retry_max_wait_s = static_cast<int>(r.integer("LLM_RETRY_MAX_WAIT_S", 30, 0, 600));
  c.llm_concurrency = static_cast<int>(r.integer("LLM_CONCURRENCY", 64, 1, 4096));
  c.llm_daily_calls_per_user = static_cast<int>(r.integer("LLM_DAILY_CALLS_PER_USER", 0, 0, 1000000));
  if (c.llm_provider != "builtin" && c.llm_provider != "anthropic" && c.llm_provider != "openai") {
    r.problem("LLM_PROVIDER='" + c.llm_provider + "' is not one of builtin, anthropic, openai");
  } else if (purpose != RequiredFor::kMigrate && c.llm_provider == "anthropic" && c.anthropic_api_key.empty()) {
    r.problem("LLM_PROVIDER=anthropic needs ANTHROPIC_API_KEY: set the key, or set LLM_PROVIDER=builtin");
  } else if (purpose != RequiredFor::kMigrate && c.llm_provider == "openai" && c.llm_base_url.empty()) {
    r.problem("LLM_PROVIDER=openai needs LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1 for llama.cpp's server)");
  }

  c.cors_origins = split_list(r.text("CORS_ORIGINS", ""));
  c.log_level = r.text("LOG_LEVEL", "info");
  std::transform(c.log_level.begin(), c.log_level.end(), c.log_level.begin(),
                 [](unsigned char ch) { return std::tolower(ch); });
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
  if (!kLevels.count(c.log_level)) r.problem("LOG_LEVEL='" + c.log_level + "' is not one of trace, debug, info, warn, error, off");
  c.port = static_cast<int>(r.integer("PORT", 8000, 0, 65535));
  c.bind_address = r.text("BIND_ADDRESS", "0.0.0.0");
  const long cores = std::max(1u, std::thread::hardware_concurrency());
  c.threads = static_cast<int>(r.integer("THREADS", cores, 1, 256));
  // Sized by the cores: database work is CPU work, and connections beyond about two per core only
  // queue inside PostgreSQL (measured: bench/bench.sh's projects p99 fell from 16-18 ms to 10-11 ms
  // at 32 connections on 2 cores going from 8 to 4 per pool). Workers: as many as connections, as
  // a worker without one can only wait for it, and requests wait their turn fairly (first come,
  // first served) in the worker queue, not in a scramble for connections (measured: interview p99
  // 24.7 ms against 28.9 ms with twice the workers, mean of 4 alternating runs). A worker waiting
  // on a model is replaced meanwhile (host/concurrency), so slow models do not shrink it.
  const long pool = std::max(4L, 2 * cores);
  c.workers = static_cast<int>(r.integer("WORKERS", pool, 1, 1024));
  c.db_pool_size_auth = static_cast<std::size_t>(r.integer("DB_POOL_SIZE_AUTH", pool, 1, 512));
  c.db_pool_size_specs = static_cast<std::size_t>(r.integer("DB_POOL_SIZE_SPECS", pool, 1, 512));
  c.db_lease_timeout_ms = static_cast<int>(r.integer("DB_LEASE_TIMEOUT_MS", 5000, 10, 600000));
  c.max_body_bytes = static_cast<std::size_t>(r.integer("MAX_BODY_BYTES", 1024 * 1024, 1024, 64L * 1024 * 1024));
  c.worker_queue = static_cast<int>(r.integer("WORKER_QUEUE", 1024, 1, 1000000));
  c.max_connections = static_cast<int>(r.integer("MAX_CONNECTIONS", 1024, 1, 1000000));
  c.http_header_timeout_s = static_cast<int>(r.integer("HTTP_HEADER_TIMEOUT_S", 10, 1, 3600));
  c.http_body_timeout_s = static_cast<int>(r.integer("HTTP_BODY_TIMEOUT_S", 30, 1, 3600));
  c.http_keepalive_timeout_s = static_cast<int>(r.integer("HTTP_KEEPALIVE_TIMEOUT_S", 60, 1, 86400));

  const std::filesystem::path plugin_dir = r.text("PLUGIN_DIR", SOCRATES_DEFAULT_PLUGIN_DIR);
  std::string plugin_text = r.text("PLUGINS", "");
  if (auto file = env.get("PLUGINS_FILE"); file && !file->empty()) {
    std::ifstream in(*file);
    if (!in) {
      r.problem("PLUGINS_FILE='" + *file + "' cannot be read");
    } else {
      std::stringstream buffer;
      buffer << in.rdbuf();
      std::string lines;
      for (std::string line; std::getline(buffer, line);) {
        line = trim(line);
        if (!line.empty() && line[0] != '#') lines += line + "\n";
      }
      plugin_text += (plugin_text.empty() ? "" : ",") + lines;
    }
  }
  const bool plugins_configured = !r.text("PLUGINS", "").empty() || !r.text("PLUGINS_FILE", "").empty();
  if (!plugins_configured)
    plugin_text = "libproject_manager_agent.so,libsocratic_agent.so,libcontext_agent.so";
  c.plugins = parse_plugin_list(plugin_text, plugin_dir);

  c.plugin_dir = plugin_dir;
  // The parent of the private copy directory (the loader makes a new, randomly named one inside).
  c.plugin_copy_dir = r.text("PLUGIN_COPY_DIR", SOCRATES_DEFAULT_PLUGIN_COPY_DIR);
  c.migrations_dir = r.text("MIGRATIONS_DIR", SOCRATES_DEFAULT_MIGRATIONS_DIR);
  c.agent_deadline_ms = static_cast<int>(r.integer("AGENT_DEADLINE_MS", 300000, 10, 86400000));
  c.agent_degraded_timeouts = static_cast<int>(r.integer("AGENT_DEGRADED_TIMEOUTS", 3, 1, 1000000));
  c.agent_failure_window_s = static_cast<int>(r.integer("AGENT_FAILURE_WINDOW_S", 300, 1, 86400));
  c.agent_max_crashes = static_cast<int>(r.integer("AGENT_MAX_CRASHES", 5, 1, 1000000));
  c.agent_memory_limit_mb = static_cast<std::size_t>(r.integer("AGENT_MEMORY_LIMIT_MB", 0, 0, 1L << 30));
  c.auto_migrate = r.boolean("AUTO_MIGRATE", true);
  c.web_dir = r.text("WEB_DIR", SOCRATES_DEFAULT_WEB_DIR);

  c.login_max_failures = static_cast<int>(r.integer("LOGIN_MAX_FAILURES", 5, 1, 1000));
  c.login_window_s = static_cast<int>(r.integer("LOGIN_WINDOW_SECONDS", 900, 1, 86400));
  c.login_lockout_s = static_cast<int>(r.integer("LOGIN_LOCKOUT_SECONDS", 300, 1, 86400));
  c.login_account_max_addresses = static_cast<int>(r.integer("LOGIN_ACCOUNT_MAX_ADDRESSES", 10, 2, 100000));
  c.address_max_failures = static_cast<int>(r.integer("ADDRESS_MAX_FAILURES", 50, 1, 1000000));
  c.login_max_age_days = static_cast<int>(r.integer("LOGIN_MAX_AGE_DAYS", 30, 1, 3650));
  c.cleanup_interval_s = static_cast<int>(r.integer("CLEANUP_INTERVAL_SECONDS", 3600, 1, 7 * 86400));
  c.hash_workers = static_cast<std::size_t>(r.integer("HASH_WORKERS", 2, 1, 256));
  c.hash_queue = static_cast<std::size_t>(r.integer("HASH_QUEUE", 32, 0, 100000));
  const std::string proxies = r.text("TRUSTED_PROXIES", "");
  try {
    auth::TrustedProxies::parse(proxies);
    c.trusted_proxies = split_list(proxies);
  } catch (const std::invalid_argument& e) {
    r.problem(std::string("TRUSTED_PROXIES: ") + e.what() +
              "; list proxy addresses or CIDR blocks separated by commas (e.g. 10.0.0.0/8,::1)");
  }

  // The outbound hook of new invitations (host/notify/webhook.hpp).
  c.invitation_hook_url = r.text("INVITATION_HOOK_URL", "");
  c.invitation_hook_secret = r.text("INVITATION_HOOK_SECRET", "");
  if (!c.invitation_hook_url.empty() && c.invitation_hook_url.rfind("http://", 0) != 0 &&
      c.invitation_hook_url.rfind("https://", 0) != 0)
    r.problem("INVITATION_HOOK_URL='" + c.invitation_hook_url + "' is not an http:// or https:// URL");
  if (!c.invitation_hook_secret.empty() && c.invitation_hook_url.empty())
    r.problem("INVITATION_HOOK_SECRET is set but INVITATION_HOOK_URL is not: set the URL the host posts invitations to");
  c.docs_dir = r.text("DOCS_DIR", SOCRATES_DEFAULT_DOCS_DIR);
  c.node_modules_dir = r.text("NODE_MODULES_DIR", SOCRATES_DEFAULT_NODE_MODULES_DIR);
  // GET /metrics: without a token, scrapes from loopback only (README "Metrics and health").
  c.metrics_token = r.text("METRICS_TOKEN", "");
  if (!c.metrics_token.empty() && c.metrics_token.size() < 16)
    r.problem("METRICS_TOKEN is too short (" + std::to_string(c.metrics_token.size()) +
              " characters); use at least 16 random characters, e.g. from `openssl rand -hex 24`");

  for (const auto& [name, value] : env.values())
    if (!is_secret(name)) c.public_settings[name] = value;

  *problems = r.problems();
  return c;
}

}  // namespace

Environment Environment::from_process(const std::optional<std::filesystem::path>& env_file) {
  std::map<std::string, std::string> values;
  if (env_file) {
    std::ifstream in(*env_file);
    if (in) {
      std::stringstream buffer;
      buffer << in.rdbuf();
      values = parse_dotenv(buffer.str());
    }
  }
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string line(*entry);
    const auto eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return Environment(std::move(values));
}

std::map<std::string, std::string> Environment::parse_dotenv(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = trim(line.substr(7));
    const auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string name = trim(line.substr(0, eq));
    std::string value = trim(line.substr(eq + 1));
    if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
      // Quoted: the value is what stands between the quotes; anything after is a comment.
      const auto close = value.find(value.front(), 1);
      if (close != std::string::npos) value = value.substr(1, close - 1);
    } else {
      // Unquoted: ` # ...` starts a comment, as python-dotenv and docker compose read it.
      for (std::size_t i = 1; i < value.size(); ++i)
        if (value[i] == '#' && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
          value = trim(value.substr(0, i));
          break;
        }
    }
    values[name] = value;
  }
  return values;
}

std::optional<std::string> Environment::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<PluginSpec> parse_plugin_list(const std::string& text, const std::filesystem::path& base_dir) {
  std::vector<PluginSpec> specs;
  for (std::string item : split_list(text)) {
    PluginSpec spec;
    // `optional:` and `isolated:`, in either order.
    for (;;) {
      if (item.rfind("optional:", 0) == 0) spec.required = false;
      else if (item.rfind("isolated:", 0) == 0) spec.isolated = true;
      else break;
      item = trim(item.substr(item.find(':') + 1));
    }
    std::filesystem::path path(item);
    spec.library = path.is_absolute() ? path : base_dir / path;
    specs.push_back(std::move(spec));
  }
  return specs;
}

Config load_config(const Environment& env, RequiredFor purpose) {
  std::vector<std::string> problems;
  Config config = read(env, purpose, &problems);
  if (!problems.empty()) {
    std::string message = "configuration is incomplete:";
    for (const auto& p : problems) message += "\n  - " + p;
    throw ConfigError(message);
  }
  return config;
}

std::vector<std::string> config_problems(const Environment& env, RequiredFor purpose) {
  std::vector<std::string> problems;
  read(env, purpose, &problems);
  return problems;
}

}  // namespace socrates::host
