#include "host/config/config.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace socrates::host {
namespace {

namespace fs = std::filesystem;

const std::string kSecret(48, 's');

// The smallest environment a `serve` accepts; tests add or remove what they are about.
std::map<std::string, std::string> complete() {
  return {{"DATABASE_URL_AUTH", "postgresql://u:pw@localhost:5432/auth"},
          {"DATABASE_URL_SPECS", "postgresql://u:pw@localhost:5432/specs"},
          {"SECRET_KEY", kSecret}};
}

std::map<std::string, std::string> with(std::map<std::string, std::string> overrides) {
  auto values = complete();
  for (auto& [name, value] : overrides) values[name] = value;
  return values;
}

Config load(std::map<std::string, std::string> values, RequiredFor purpose = RequiredFor::kServe) {
  return load_config(Environment::from_map(std::move(values)), purpose);
}

// The ConfigError message load_config throws, or a test failure when it does not throw.
std::string refusal(std::map<std::string, std::string> values, RequiredFor purpose = RequiredFor::kServe) {
  try {
    load(std::move(values), purpose);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "load_config accepted the configuration";
  return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A scratch directory per test, removed afterwards.
class ConfigFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("socrates_config_test." + std::to_string(::getpid()) + "." + test->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  fs::path dir_;
};

TEST(ConfigTest, EveryMissingRequiredSettingIsNamedInOneError) {
  // An operator fixing a fresh install must see all of them at once, not one per attempt.
  const std::string message = refusal({});
  EXPECT_TRUE(contains(message, "DATABASE_URL_AUTH")) << message;
  EXPECT_TRUE(contains(message, "DATABASE_URL_SPECS")) << message;
  EXPECT_TRUE(contains(message, "SECRET_KEY")) << message;

  EXPECT_EQ(config_problems(Environment::from_map({})).size(), 3u);
}

TEST(ConfigTest, EmptyRequiredSettingCountsAsMissing) {
  const std::string message = refusal(with({{"DATABASE_URL_SPECS", ""}}));
  EXPECT_TRUE(contains(message, "DATABASE_URL_SPECS")) << message;
  EXPECT_FALSE(contains(message, "DATABASE_URL_AUTH")) << message;
}

TEST(ConfigTest, CompleteEnvironmentIsAccepted) {
  const Config config = load(complete());
  EXPECT_EQ(config.database_url_auth, "postgresql://u:pw@localhost:5432/auth");
  EXPECT_EQ(config.database_url_specs, "postgresql://u:pw@localhost:5432/specs");
  EXPECT_EQ(config.secret_key, kSecret);
  EXPECT_TRUE(config_problems(Environment::from_map(complete())).empty());
}

TEST(ConfigTest, ShortSecretKeyIsRefused) {
  // A short HMAC key makes every access token guessable.
  const std::string message = refusal(with({{"SECRET_KEY", std::string(31, 'k')}}));
  EXPECT_TRUE(contains(message, "SECRET_KEY")) << message;
  EXPECT_TRUE(contains(message, "too short")) << message;
  EXPECT_TRUE(contains(message, "32")) << message;

  EXPECT_EQ(load(with({{"SECRET_KEY", std::string(32, 'k')}})).secret_key, std::string(32, 'k'));
}

TEST(ConfigTest, MigrateDoesNotNeedTheSecretKey) {
  // `socrates-host migrate` touches no token, so a deployment can migrate before it has a secret.
  auto values = complete();
  values.erase("SECRET_KEY");
  EXPECT_NO_THROW(load(values, RequiredFor::kMigrate));
  EXPECT_TRUE(contains(refusal(values, RequiredFor::kServe), "SECRET_KEY"));

  // ...but it still needs both databases.
  values.erase("DATABASE_URL_AUTH");
  const std::string message = refusal(values, RequiredFor::kMigrate);
  EXPECT_TRUE(contains(message, "DATABASE_URL_AUTH")) << message;
  EXPECT_FALSE(contains(message, "SECRET_KEY")) << message;
}

TEST(ConfigTest, DefaultsWhenNothingOptionalIsSet) {
  const Config config = load(complete());
  EXPECT_EQ(config.port, 8000);
  EXPECT_EQ(config.access_token_expire_minutes, 30);
  EXPECT_EQ(config.refresh_token_expire_days, 14);
  EXPECT_EQ(config.llm_provider, "builtin");
  EXPECT_EQ(config.log_level, "info");
  EXPECT_EQ(config.max_body_bytes, 1024u * 1024u);
  EXPECT_TRUE(config.auto_migrate);
  EXPECT_TRUE(config.cors_origins.empty());
  EXPECT_GE(config.threads, 1);
}

TEST(ConfigTest, AbuseSettingsHaveTheirDefaults) {
  const Config config = load(complete());
  EXPECT_EQ(config.login_max_failures, 5);
  EXPECT_EQ(config.login_account_max_addresses, 10);
  EXPECT_EQ(config.address_max_failures, 50);
  EXPECT_EQ(config.login_max_age_days, 30);
  EXPECT_EQ(config.cleanup_interval_s, 3600);
  EXPECT_EQ(config.hash_workers, 2u);
  EXPECT_EQ(config.hash_queue, 32u);
  EXPECT_TRUE(config.trusted_proxies.empty());
}

TEST(ConfigTest, AbuseSettingsAreRead) {
  const Config config = load(with({{"LOGIN_ACCOUNT_MAX_ADDRESSES", "4"},
                                   {"ADDRESS_MAX_FAILURES", "7"},
                                   {"LOGIN_MAX_AGE_DAYS", "3"},
                                   {"CLEANUP_INTERVAL_SECONDS", "1"},
                                   {"HASH_WORKERS", "1"},
                                   {"HASH_QUEUE", "0"},
                                   {"TRUSTED_PROXIES", "10.0.0.0/8, ::1"}}));
  EXPECT_EQ(config.login_account_max_addresses, 4);
  EXPECT_EQ(config.address_max_failures, 7);
  EXPECT_EQ(config.login_max_age_days, 3);
  EXPECT_EQ(config.cleanup_interval_s, 1);
  EXPECT_EQ(config.hash_workers, 1u);
  EXPECT_EQ(config.hash_queue, 0u);
  EXPECT_EQ(config.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
}

TEST(ConfigTest, TrustedProxiesThatAreNotAddressesAreNamed) {
  const std::string message = refusal(with({{"TRUSTED_PROXIES", "10.0.0.0/8,proxy.example.com"}}));
  EXPECT_TRUE(contains(message, "TRUSTED_PROXIES")) << message;
  EXPECT_TRUE(contains(message, "proxy.example.com")) << message;
  EXPECT_TRUE(contains(refusal(with({{"TRUSTED_PROXIES", "10.0.0.0/33"}})), "10.0.0.0/33"));
  EXPECT_TRUE(contains(refusal(with({{"HASH_WORKERS", "0"}})), "HASH_WORKERS"));
}

TEST(ConfigTest, EmptyOptionalSettingMeansTheDefault) {
  const Config config = load(with({{"PORT", ""}, {"LLM_PROVIDER", ""}}));
  EXPECT_EQ(config.port, 8000);
  EXPECT_EQ(config.llm_provider, "builtin");
}

TEST(ConfigTest, PoolsAndWorkersAreSizedByTheCores) {
  const long cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t pool = static_cast<std::size_t>(std::max(4L, 2 * cores));
  const Config config = load(complete());
  EXPECT_EQ(config.db_pool_size_auth, pool);
  EXPECT_EQ(config.db_pool_size_specs, pool);
  EXPECT_EQ(config.workers, static_cast<int>(pool));
  const Config sized = load(with({{"DB_POOL_SIZE_SPECS", "12"}, {"WORKERS", "3"}}));
  EXPECT_EQ(sized.db_pool_size_specs, 12u);
  EXPECT_EQ(sized.db_pool_size_auth, pool);
  EXPECT_EQ(sized.workers, 3);
}

TEST(ConfigTest, IntegerSettingsAreRead) {
  const Config config = load(with({{"PORT", "9090"},
                                   {"ACCESS_TOKEN_EXPIRE_MINUTES", "60"},
                                   {"THREADS", "4"},
                                   {"WORKERS", "32"},
                                   {"MAX_BODY_BYTES", "2048"}}));
  EXPECT_EQ(config.port, 9090);
  EXPECT_EQ(config.access_token_expire_minutes, 60);
  EXPECT_EQ(config.threads, 4);
  EXPECT_EQ(config.workers, 32);
  EXPECT_EQ(config.max_body_bytes, 2048u);
}

TEST(ConfigTest, TheDailyLlmLimitPerUserIsOffUnlessSet) {
  EXPECT_EQ(load(complete()).llm_daily_calls_per_user, 0);
  EXPECT_EQ(load(with({{"LLM_DAILY_CALLS_PER_USER", "2"}})).llm_daily_calls_per_user, 2);
  EXPECT_TRUE(contains(refusal(with({{"LLM_DAILY_CALLS_PER_USER", "-1"}})), "LLM_DAILY_CALLS_PER_USER='-1'"));
}

TEST(ConfigTest, IntegersOutOfRangeOrNotNumbersAreNamedWithTheirValue) {
  const std::string message = refusal(with({{"PORT", "70000"},
                                            {"ACCESS_TOKEN_EXPIRE_MINUTES", "0"},
                                            {"THREADS", "four"},
                                            {"WORKERS", "12x"},
                                            {"DB_POOL_SIZE_AUTH", "1e3"},
                                            {"REFRESH_TOKEN_EXPIRE_DAYS", "99999999999999999999999"}}));
  for (const char* expected : {"PORT='70000'", "ACCESS_TOKEN_EXPIRE_MINUTES='0'", "THREADS='four'", "WORKERS='12x'",
                               "DB_POOL_SIZE_AUTH='1e3'", "REFRESH_TOKEN_EXPIRE_DAYS='99999999999999999999999'"})
    EXPECT_TRUE(contains(message, expected)) << expected << " missing from:\n" << message;
  // The range tells the operator what would be accepted.
  EXPECT_TRUE(contains(message, "between 0 and 65535")) << message;
  EXPECT_EQ(config_problems(Environment::from_map(with({{"PORT", "-1"}}))).size(), 1u);
}

TEST(ConfigTest, BooleansAcceptTheUsualSpellings) {
  for (const char* yes : {"1", "true", "TRUE", "yes", "on", "On"})
    EXPECT_TRUE(load(with({{"AUTO_MIGRATE", yes}})).auto_migrate) << yes;
  for (const char* no : {"0", "false", "False", "no", "off", "OFF"})
    EXPECT_FALSE(load(with({{"AUTO_MIGRATE", no}})).auto_migrate) << no;

  const std::string message = refusal(with({{"AUTO_MIGRATE", "maybe"}}));
  EXPECT_TRUE(contains(message, "AUTO_MIGRATE='maybe'")) << message;
}

TEST(ConfigTest, AnthropicProviderWithoutItsKeyIsRefused) {
  // A configured provider without its key must fail at start-up, not at the first question.
  const std::string message = refusal(with({{"LLM_PROVIDER", "anthropic"}}));
  EXPECT_TRUE(contains(message, "ANTHROPIC_API_KEY")) << message;

  const Config config = load(with({{"LLM_PROVIDER", "anthropic"}, {"ANTHROPIC_API_KEY", "sk-ant-test"}}));
  EXPECT_EQ(config.llm_provider, "anthropic");
  EXPECT_EQ(config.anthropic_api_key, "sk-ant-test");
}

TEST(ConfigTest, OpenAiProviderWithoutBaseUrlIsRefused) {
  const std::string message = refusal(with({{"LLM_PROVIDER", "openai"}}));
  EXPECT_TRUE(contains(message, "LLM_BASE_URL")) << message;

  const Config config = load(with({{"LLM_PROVIDER", "openai"}, {"LLM_BASE_URL", "http://127.0.0.1:8080/v1"}}));
  EXPECT_EQ(config.llm_provider, "openai");
  EXPECT_EQ(config.llm_base_url, "http://127.0.0.1:8080/v1");
}

TEST(ConfigTest, UnknownProviderIsRefusedWithTheChoices) {
  const std::string message = refusal(with({{"LLM_PROVIDER", "gemini"}}));
  EXPECT_TRUE(contains(message, "LLM_PROVIDER='gemini'")) << message;
  EXPECT_TRUE(contains(message, "builtin")) << message;
  EXPECT_TRUE(contains(message, "anthropic")) << message;
  EXPECT_TRUE(contains(message, "openai")) << message;
}

TEST(ConfigTest, ProblemsOfEveryKindArriveTogether) {
  const std::string message =
      refusal({{"LLM_PROVIDER", "anthropic"}, {"PORT", "http"}, {"SECRET_KEY", "short"}, {"LOG_LEVEL", "loud"}});
  for (const char* expected :
       {"DATABASE_URL_AUTH", "DATABASE_URL_SPECS", "SECRET_KEY", "ANTHROPIC_API_KEY", "PORT='http'", "LOG_LEVEL='loud'"})
    EXPECT_TRUE(contains(message, expected)) << expected << " missing from:\n" << message;
}

TEST(ConfigTest, DefaultPluginsAreTheThreeAgentsInPluginDir) {
  const Config config = load(with({{"PLUGIN_DIR", "/opt/socrates/agents"}}));
  ASSERT_EQ(config.plugins.size(), 3u);
  EXPECT_EQ(config.plugins[0].library, fs::path("/opt/socrates/agents/libproject_manager_agent.so"));
  EXPECT_EQ(config.plugins[1].library, fs::path("/opt/socrates/agents/libsocratic_agent.so"));
  EXPECT_EQ(config.plugins[2].library, fs::path("/opt/socrates/agents/libcontext_agent.so"));
  for (const auto& plugin : config.plugins) EXPECT_TRUE(plugin.required) << plugin.library;
}

TEST(ConfigTest, DefaultPluginDirIsTheBuildsPluginFolder) {
  const Config config = load(complete());
  ASSERT_EQ(config.plugins.size(), 3u);
  EXPECT_EQ(config.plugins[0].library.parent_path(), fs::path(SOCRATES_DEFAULT_PLUGIN_DIR));
}

TEST(ConfigTest, PluginsListTakesCommasNewlinesOptionalPrefixAndRelativePaths) {
  const Config config = load(with({{"PLUGIN_DIR", "/opt/agents"},
                                   {"PLUGINS", " libone.so, optional:libtwo.so\n/abs/libthree.so\n\n , optional: "
                                               "sub/libfour.so,\n"}}));
  ASSERT_EQ(config.plugins.size(), 4u);
  EXPECT_EQ(config.plugins[0].library, fs::path("/opt/agents/libone.so"));
  EXPECT_TRUE(config.plugins[0].required);
  EXPECT_EQ(config.plugins[1].library, fs::path("/opt/agents/libtwo.so"));
  EXPECT_FALSE(config.plugins[1].required);
  EXPECT_EQ(config.plugins[2].library, fs::path("/abs/libthree.so"));
  EXPECT_TRUE(config.plugins[2].required);
  EXPECT_EQ(config.plugins[3].library, fs::path("/opt/agents/sub/libfour.so"));
  EXPECT_FALSE(config.plugins[3].required);
}

TEST(ConfigTest, ParsePluginListAlone) {
  const auto specs = parse_plugin_list("a.so,optional:/x/b.so", "/base");
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].library, fs::path("/base/a.so"));
  EXPECT_EQ(specs[1].library, fs::path("/x/b.so"));
  EXPECT_FALSE(specs[1].required);
  EXPECT_TRUE(parse_plugin_list(" , \n ,", "/base").empty());
}

TEST(ConfigTest, IsolatedPluginsAndTheirSettings) {
  const auto specs = parse_plugin_list("isolated:a.so,optional:isolated:/x/b.so,isolated: optional:c.so,d.so", "/base");
  ASSERT_EQ(specs.size(), 4u);
  EXPECT_EQ(specs[0].library, fs::path("/base/a.so"));
  EXPECT_TRUE(specs[0].isolated);
  EXPECT_TRUE(specs[0].required);
  EXPECT_EQ(specs[1].library, fs::path("/x/b.so"));
  EXPECT_TRUE(specs[1].isolated);
  EXPECT_FALSE(specs[1].required);
  EXPECT_EQ(specs[2].library, fs::path("/base/c.so")) << "either order";
  EXPECT_TRUE(specs[2].isolated);
  EXPECT_FALSE(specs[2].required);
  EXPECT_FALSE(specs[3].isolated) << "in-process is the default";

  const Config defaults = load(complete());
  EXPECT_EQ(defaults.agent_max_crashes, 5);
  EXPECT_EQ(defaults.agent_memory_limit_mb, 0u);
  const Config set = load(with({{"AGENT_MAX_CRASHES", "2"}, {"AGENT_MEMORY_LIMIT_MB", "768"}}));
  EXPECT_EQ(set.agent_max_crashes, 2);
  EXPECT_EQ(set.agent_memory_limit_mb, 768u);
  const std::string refused = refusal(with({{"AGENT_MAX_CRASHES", "0"}, {"AGENT_MEMORY_LIMIT_MB", "-1"}}));
  EXPECT_TRUE(contains(refused, "AGENT_MAX_CRASHES='0'")) << refused;
  EXPECT_TRUE(contains(refused, "AGENT_MEMORY_LIMIT_MB='-1'")) << refused;
}

TEST_F(ConfigFilesTest, PluginsFileSkipsCommentsAndBlankLines) {
  const fs::path file = write("plugins.txt",
                              "# the agents of this deployment\n"
                              "libone.so\n"
                              "\n"
                              "   # an indented comment\n"
                              "optional:/abs/libtwo.so\n"
                              "  libthree.so  \n");
  const Config config = load(with({{"PLUGIN_DIR", "/opt/agents"}, {"PLUGINS_FILE", file.string()}}));
  ASSERT_EQ(config.plugins.size(), 3u);
  EXPECT_EQ(config.plugins[0].library, fs::path("/opt/agents/libone.so"));
  EXPECT_EQ(config.plugins[1].library, fs::path("/abs/libtwo.so"));
  EXPECT_FALSE(config.plugins[1].required);
  EXPECT_EQ(config.plugins[2].library, fs::path("/opt/agents/libthree.so"));
}

TEST_F(ConfigFilesTest, PluginsAndPluginsFileAddUp) {
  const fs::path file = write("plugins.txt", "libfrom_file.so\n");
  const Config config =
      load(with({{"PLUGIN_DIR", "/p"}, {"PLUGINS", "libfrom_env.so"}, {"PLUGINS_FILE", file.string()}}));
  ASSERT_EQ(config.plugins.size(), 2u);
  EXPECT_EQ(config.plugins[0].library, fs::path("/p/libfrom_env.so"));
  EXPECT_EQ(config.plugins[1].library, fs::path("/p/libfrom_file.so"));
}

TEST_F(ConfigFilesTest, UnreadablePluginsFileIsNamed) {
  const std::string missing = (dir_ / "no-such-plugins.txt").string();
  const std::string message = refusal(with({{"PLUGINS_FILE", missing}}));
  EXPECT_TRUE(contains(message, "PLUGINS_FILE")) << message;
  EXPECT_TRUE(contains(message, missing)) << message;
}

TEST(ConfigTest, CorsOriginsAreAList) {
  const Config config =
      load(with({{"CORS_ORIGINS", "https://a.example, https://b.example\nhttp://localhost:3000,,"}}));
  EXPECT_EQ(config.cors_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example", "http://localhost:3000"}));
}

TEST(ConfigTest, PublicSettingsKeepOrdinarySettingsAndDropSecrets) {
  // Agents read settings through Services::setting; a secret there would leak to every plugin.
  const Config config = load(with({{"ANTHROPIC_API_KEY", "sk-ant-secret"},
                                   {"SMTP_PASSWORD", "hunter2"},
                                   {"PGPASSWORD", "pg"},
                                   {"GITHUB_TOKEN", "ghp_x"},
                                   {"OAUTH_CLIENT_SECRET", "cs"},
                                   {"LLM_MODEL", "claude-test"},
                                   {"PORT", "8123"},
                                   {"SOCRATIC_MAX_QUESTIONS", "7"}}));
  const auto& settings = config.public_settings;
  for (const char* secret : {"SECRET_KEY", "ANTHROPIC_API_KEY", "DATABASE_URL_AUTH", "DATABASE_URL_SPECS",
                             "SMTP_PASSWORD", "PGPASSWORD", "GITHUB_TOKEN", "OAUTH_CLIENT_SECRET"})
    EXPECT_EQ(settings.count(secret), 0u) << secret << " is visible to agents";
  EXPECT_EQ(settings.at("LLM_MODEL"), "claude-test");
  EXPECT_EQ(settings.at("PORT"), "8123");
  EXPECT_EQ(settings.at("SOCRATIC_MAX_QUESTIONS"), "7");
  for (const auto& [name, value] : settings) {
    EXPECT_EQ(value.find("pw@"), std::string::npos) << name << " carries a database password";
    EXPECT_NE(value, kSecret) << name << " carries the secret key";
  }
}

TEST(ConfigTest, PublicSettingsDropEveryCredentialLookingName) {
  // The brief's DATABASE_URL_* means any database URL (they carry passwords), and LLM keys come
  // under many names (OPENAI_API_KEY and LLM_API_KEY are hidden, so other providers' must be too).
  // .env files are also often written in lower case.
  const Config config = load(with({{"DATABASE_URL_REPLICA", "postgresql://u:pw@replica/specs"},
                                   {"MISTRAL_API_KEY", "mk"},
                                   {"smtp_password", "hunter2"}}));
  const auto& settings = config.public_settings;
  EXPECT_EQ(settings.count("DATABASE_URL_REPLICA"), 0u) << "a database URL with its password is visible to agents";
  EXPECT_EQ(settings.count("MISTRAL_API_KEY"), 0u) << "an API key is visible to agents";
  EXPECT_EQ(settings.count("smtp_password"), 0u) << "a lower-case password setting is visible to agents";
}

TEST(EnvironmentTest, ParseDotenvHandlesCommentsExportQuotesAndEquals) {
  const auto values = Environment::parse_dotenv(
      "# Socrates settings\n"
      "\n"
      "PORT=9000\n"
      "export SECRET_KEY=abc\n"
      "   # indented comment\n"
      "DATABASE_URL_AUTH=postgresql://u:p@h/auth?sslmode=require&x=y\n"
      "QUOTED=\"two words\"\n"
      "SINGLE='it is # not a comment'\n"
      "KEEP_INNER_SPACE=\"  padded  \"\n"
      "  SPACED   =   value  \n"
      "WINDOWS=crlf\r\n"
      "EMPTY=\n"
      "no equals sign here\n"
      "=no name\n"
      "\t\n");
  const std::map<std::string, std::string> expected = {
      {"PORT", "9000"},
      {"SECRET_KEY", "abc"},
      {"DATABASE_URL_AUTH", "postgresql://u:p@h/auth?sslmode=require&x=y"},
      {"QUOTED", "two words"},
      {"SINGLE", "it is # not a comment"},
      {"KEEP_INNER_SPACE", "  padded  "},
      {"SPACED", "value"},
      {"WINDOWS", "crlf"},
      {"EMPTY", ""},
  };
  EXPECT_EQ(values, expected);
}

TEST(EnvironmentTest, ParseDotenvStripsInlineCommentsFromUnquotedValues) {
  // python-dotenv and docker compose read `KEY=value # note` as "value"; a .env carried over from
  // the Python system would otherwise turn a note into part of a model name or a key, silently.
  const auto values = Environment::parse_dotenv(
      "LLM_MODEL=claude-test # the fast one\n"
      "URL=http://host/page#anchor\n"
      "QUOTED=\"keep # this\"  # but not this\n");
  EXPECT_EQ(values.at("LLM_MODEL"), "claude-test");
  EXPECT_EQ(values.at("URL"), "http://host/page#anchor") << "a # inside a word is not a comment";
  EXPECT_EQ(values.at("QUOTED"), "keep # this");
}

TEST(EnvironmentTest, ParseDotenvLaterLineWins) {
  EXPECT_EQ(Environment::parse_dotenv("A=1\nA=2\n").at("A"), "2");
}

TEST(EnvironmentTest, ParseDotenvKeepsUnmatchedQuotes) {
  const auto values = Environment::parse_dotenv("A=\"open\nB='mixed\"\nC=\"\n");
  EXPECT_EQ(values.at("A"), "\"open");
  EXPECT_EQ(values.at("B"), "'mixed\"");
  EXPECT_EQ(values.at("C"), "\"");
}

TEST(EnvironmentTest, FromMapAnswersWhatItWasGiven) {
  const Environment env = Environment::from_map({{"A", "1"}, {"EMPTY", ""}});
  EXPECT_EQ(env.get("A"), "1");
  EXPECT_EQ(env.get("EMPTY"), "");
  EXPECT_EQ(env.get("MISSING"), std::nullopt);
}

// Variables this test sets in its own process, removed whatever the outcome.
class FromProcessTest : public ConfigFilesTest {
 protected:
  void TearDown() override {
    ::unsetenv("SOCRATES_UNIT_BOTH");
    ::unsetenv("SOCRATES_UNIT_PROCESS_ONLY");
    ConfigFilesTest::TearDown();
  }
};

TEST_F(FromProcessTest, ProcessEnvironmentWinsOverTheDotenvFile) {
  // A deployment overrides a checked-in .env by exporting the variable; the file must not undo it.
  const fs::path env_file = write(".env",
                                  "SOCRATES_UNIT_BOTH=from-file\n"
                                  "export SOCRATES_UNIT_FILE_ONLY=\"file value\"\n");
  ASSERT_EQ(::setenv("SOCRATES_UNIT_BOTH", "from-process", 1), 0);
  ASSERT_EQ(::setenv("SOCRATES_UNIT_PROCESS_ONLY", "process value", 1), 0);

  const Environment env = Environment::from_process(env_file);
  EXPECT_EQ(env.get("SOCRATES_UNIT_BOTH"), "from-process");
  EXPECT_EQ(env.get("SOCRATES_UNIT_FILE_ONLY"), "file value");
  EXPECT_EQ(env.get("SOCRATES_UNIT_PROCESS_ONLY"), "process value");
}

TEST_F(FromProcessTest, MissingDotenvFileIsNotAnError) {
  ASSERT_EQ(::setenv("SOCRATES_UNIT_PROCESS_ONLY", "process value", 1), 0);
  const Environment env = Environment::from_process(dir_ / "no-such.env");
  EXPECT_EQ(env.get("SOCRATES_UNIT_PROCESS_ONLY"), "process value");
  EXPECT_EQ(Environment::from_process(std::nullopt).get("SOCRATES_UNIT_PROCESS_ONLY"), "process value");
}

TEST_F(FromProcessTest, DotenvFileFeedsLoadConfig) {
  const fs::path env_file = write(".env",
                                  "DATABASE_URL_AUTH=postgresql://a/auth\n"
                                  "DATABASE_URL_SPECS=postgresql://a/specs\n"
                                  "SECRET_KEY='" + kSecret + "'\n"
                                  "SOCRATES_UNIT_BOTH=1234\n");
  const Environment env = Environment::from_process(env_file);
  // The process may have its own DATABASE_URL_* (scripts/test.sh does not set them, a developer might),
  // so compare with what the environment answers rather than with the file.
  const Config config = load_config(env);
  EXPECT_EQ(config.database_url_auth, *env.get("DATABASE_URL_AUTH"));
  EXPECT_EQ(config.public_settings.at("SOCRATES_UNIT_BOTH"), "1234");
}

}  // namespace
}  // namespace socrates::host
