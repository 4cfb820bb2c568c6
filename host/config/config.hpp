#pragma once
// Configuration: the process environment, over an optional .env file. A missing or malformed
// required setting stops start-up with a message naming it.

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace socrates::host {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where settings come from, lowest priority first: built-in defaults, the .env file, the environment.
class Environment {
 public:
  static Environment from_process(const std::optional<std::filesystem::path>& env_file);
  static Environment from_map(std::map<std::string, std::string> values) { return Environment(std::move(values)); }
  // Parses KEY=VALUE lines (blank lines and # comments skipped, optional `export `, optional quotes).
  static std::map<std::string, std::string> parse_dotenv(const std::string& text);

  std::optional<std::string> get(const std::string& name) const;
  const std::map<std::string, std::string>& values() const noexcept { return values_; }

 private:
  explicit Environment(std::map<std::string, std::string> values) : values_(std::move(values)) {}
  std::map<std::string, std::string> values_;
};

struct PluginSpec {
  std::filesystem::path library;
  bool required = true;  // a required plugin that fails to load stops start-up
  bool isolated = false;  // runs in a child process of its own (host/isolation/isolated_plugin.hpp)
};

enum class RequiredFor { kServe, kMigrate, kDoctor };

struct Config {
  std::string database_url_auth;
  std::string database_url_specs;
  std::string secret_key;
  int access_token_expire_minutes = 30;
  int refresh_token_expire_days = 14;

  std::string llm_provider = "builtin";
  std::string anthropic_api_key;
  std::string llm_api_key;  // openai: LLM_API_KEY or OPENAI_API_KEY; optional (local servers need none)
  std::string llm_base_url;
  std::string llm_model;
  int llm_timeout_s = 60;          // one HTTP attempt, from connect to the last byte
  int llm_connect_timeout_s = 10;  // reaching the provider
  int llm_max_retries = 2;         // further attempts after a 429, a 5xx or a connection failure
  int llm_retry_max_wait_s = 30;   // the longest wait before a retry (Retry-After above it: give up)
  int llm_concurrency = 64;        // LLM calls in flight at once; more fail fast with LLM_UNAVAILABLE
  int llm_daily_calls_per_user = 0;  // LLM calls one user may start per UTC day; 0: no limit

  std::vector<std::string> cors_origins;
  std::string log_level = "info";
  int port = 8000;
  std::string bind_address = "0.0.0.0";
  int threads = 2;          // Pistache reactor threads
  int workers = 16;         // agent and database work
  std::size_t db_pool_size_auth = 8;
  std::size_t db_pool_size_specs = 8;
  int db_lease_timeout_ms = 5000;
  std::size_t max_body_bytes = 1024 * 1024;
  int worker_queue = 1024;          // requests waiting for a worker; one more answers 503 SERVER_BUSY
  int max_connections = 1024;       // open client connections; one more answers 503 SERVER_BUSY
  int http_header_timeout_s = 10;   // a request's head must arrive within this
  int http_body_timeout_s = 30;     // its body within this of its head
  int http_keepalive_timeout_s = 60;  // an idle keep-alive connection is closed after this

  std::vector<PluginSpec> plugins;
  std::filesystem::path plugin_dir;       // a library named by a reload request must be inside it
  std::filesystem::path plugin_copy_dir;  // where the private copy directory is made
  std::filesystem::path migrations_dir;
  bool auto_migrate = true;
  // One action's deadline (docs/plugins.md, "Deadlines"): the default of an agent that declares
  // none, and the cap of one that does; past it the caller gets 504 AGENT_TIMEOUT.
  int agent_deadline_ms = 300000;
  // An agent with `agent_degraded_timeouts` timeouts within `agent_failure_window_s` is shown
  // degraded in GET /api/v1/admin/health.
  int agent_degraded_timeouts = 3;
  int agent_failure_window_s = 300;
  // Isolated agents (docs/plugins.md, "Isolation"): a child that crashes (or is killed) this many
  // times within `agent_failure_window_s` quarantines its agent until a reload; each child's
  // address space is limited to `agent_memory_limit_mb` (0: no limit).
  int agent_max_crashes = 5;
  std::size_t agent_memory_limit_mb = 0;

  // The web client's files (index.html and its scripts), served at `/` and `/web/{file}`.
  std::filesystem::path web_dir;

  // Login throttling: after `login_max_failures` failed logins for one email within
  // `login_window_s`, further attempts are refused for `login_lockout_s`.
  int login_max_failures = 5;
  int login_window_s = 900;
  int login_lockout_s = 300;
  // Those counters are per (email, client address); only when `login_account_max_addresses`
  // addresses fail on one email within the window is the email locked for every address.
  int login_account_max_addresses = 10;
  // Authentication failures from one address (any account): failed logins, wrong current
  // passwords, bad refresh tokens, taken emails. Past the limit: 429 RATE_LIMITED.
  int address_max_failures = 50;
  int login_max_age_days = 30;          // a login's absolute lifetime; refresh stops after it
  int cleanup_interval_s = 3600;        // how often expired logins, tokens and counters are deleted
  std::size_t hash_workers = 2;         // password hashing pool (host/auth/hash_pool.hpp)
  std::size_t hash_queue = 32;
  std::vector<std::string> trusted_proxies;  // whose X-Forwarded-For is believed

  // New invitations are POSTed here (with the token) when set; signed with the secret when set.
  std::string invitation_hook_url;
  std::string invitation_hook_secret;
  // The API's reference: DOCS_DIR holds openapi.json (served at /openapi.json) and reference.html
  // (at /docs); NODE_MODULES_DIR the npm packages the install script installs (Redoc's bundle,
  // served at /docs/redoc.standalone.js).
  std::filesystem::path docs_dir;
  std::filesystem::path node_modules_dir;
  // GET /metrics: when set, every scrape must send `Authorization: Bearer <metrics_token>`; when
  // empty, only loopback clients that came through no proxy may scrape.
  std::string metrics_token;

  // Every setting by name, for sdk::Services::setting (secrets removed).
  std::map<std::string, std::string> public_settings;
};

// Reads and validates everything. Throws ConfigError listing every problem at once.
Config load_config(const Environment& env, RequiredFor purpose = RequiredFor::kServe);

// The problems load_config would report, one per entry, each with what fixes it (for `doctor`).
std::vector<std::string> config_problems(const Environment& env, RequiredFor purpose = RequiredFor::kServe);

// PLUGINS: comma- or newline-separated library paths; an entry prefixed with `optional:` may fail
// to load without stopping the host, one prefixed with `isolated:` runs in a child process (both
// may be given, in either order). A relative path is taken from `base_dir`.
std::vector<PluginSpec> parse_plugin_list(const std::string& text, const std::filesystem::path& base_dir);

}  // namespace socrates::host
