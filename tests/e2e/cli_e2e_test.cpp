// The command line of socrates-host as an operator meets it: help, migrate, doctor, plugin-check,
// and serve refusing to start (or starting degraded) on bad configuration.
#include "e2e/e2e_helpers.hpp"
#include "support/fake_llm_server.hpp"
#include "support/integration_fixture.hpp"

#include <socrates/sdk/version.hpp>

#include <cstdlib>
#include <filesystem>
#include <set>

namespace socrates::test::e2e {
namespace {

const std::string kPluginDir = SOCRATES_PLUGIN_DIR;
const std::string kFixtureDir = SOCRATES_FIXTURE_DIR;

std::string real_plugins() {
  return kPluginDir + "/libproject_manager_agent.so," + kPluginDir + "/libsocratic_agent.so," + kPluginDir +
         "/libcontext_agent.so";
}

std::string output(const CommandResult& result) {
  return "exit " + std::to_string(result.exit_code) + (result.timed_out ? " (timed out)" : "") + "\nstdout:\n" +
         result.out + "\nstderr:\n" + result.err;
}

// A directory of its own to serve as a command's TMPDIR, removed with whatever is left in it.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "socrates-e2e-scratch-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path_))
      names.push_back(entry.path().lexically_relative(path_).string());
    return names;
  }

 private:
  std::filesystem::path path_;
};

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += name + "\n";
  return text;
}

// The environment of a host on fresh databases that are already migrated.
EnvMap migrated(const TestDatabases& databases) {
  EnvMap env = host_environment(databases);
  const auto result = run_command({"migrate"}, env);
  EXPECT_EQ(result.exit_code, 0) << output(result);
  return env;
}

TEST(CliE2eTest, HelpListsEverySubcommand) {
  const auto result = run_command({"--help"}, {});
  ASSERT_EQ(result.exit_code, 0) << output(result);
  for (const char* command : {"serve", "migrate", "create-admin", "doctor", "plugin-check"})
    EXPECT_NE(result.out.find(command), std::string::npos) << command << "\n" << output(result);
}

TEST(CliE2eTest, EverySubcommandAnswersHelpWithoutAnyConfiguration) {
  for (const char* command : {"serve", "migrate", "create-admin", "doctor", "plugin-check"}) {
    SCOPED_TRACE(command);
    const auto result = run_command({command, "--help"}, {});
    EXPECT_EQ(result.exit_code, 0) << output(result);
    EXPECT_NE(result.out.find(command), std::string::npos) << output(result);
  }
}

TEST(CliE2eTest, AnUnknownCommandFailsNamingIt) {
  const auto result = run_command({"frobnicate"}, {});
  EXPECT_NE(result.exit_code, 0) << output(result);
  EXPECT_NE(result.err.find("frobnicate"), std::string::npos) << output(result);
}

TEST(CliE2eTest, MigrateAppliesEverythingOnceThenNothing) {
  TestDatabases databases;
  EnvMap env = host_environment(databases);
  env.erase("SECRET_KEY");  // migrating needs no secret

  const auto first = run_command({"migrate"}, env);
  ASSERT_EQ(first.exit_code, 0) << output(first);
  EXPECT_NE(first.out.find("auth: "), std::string::npos) << output(first);
  EXPECT_NE(first.out.find("specs: "), std::string::npos) << output(first);
  EXPECT_EQ(first.out.find(": 0 migration(s) applied"), std::string::npos) << output(first);

  const auto second = run_command({"migrate"}, env);
  ASSERT_EQ(second.exit_code, 0) << output(second);
  EXPECT_NE(second.out.find("auth: 0 migration(s) applied"), std::string::npos) << output(second);
  EXPECT_NE(second.out.find("specs: 0 migration(s) applied"), std::string::npos) << output(second);
}

TEST(CliE2eTest, AHostWithoutAutoMigrateServesDatabasesPreparedByMigrate) {
  TestDatabases databases;
  EnvMap env = migrated(databases);
  env["AUTO_MIGRATE"] = "false";
  HostProcess host(env);
  ASSERT_NO_THROW(host.start());
  const HttpClient client(host.base_url());
  const TestUser user = new_user(client);
  EXPECT_EQ(client.post("/api/v1/projects", {{"name", "p"}}, user.access_token).status, 201);
}

TEST(CliE2eTest, AHostWithoutAutoMigrateRefusesUnmigratedDatabases) {
  TestDatabases databases;
  EnvMap env = host_environment(databases);
  env["AUTO_MIGRATE"] = "false";
  env["PORT"] = std::to_string(pick_free_port());
  const auto result = run_command({"serve"}, env, std::chrono::seconds(30));
  EXPECT_FALSE(result.timed_out) << "it must not serve unmigrated databases\n" << output(result);
  EXPECT_NE(result.exit_code, 0) << output(result);
  EXPECT_NE(result.err.find("socrates-host migrate"), std::string::npos) << output(result);
}

TEST(CliE2eTest, ServeWithoutSecretKeyFailsNamingIt) {
  TestDatabases databases;
  EnvMap env = host_environment(databases);
  env.erase("SECRET_KEY");
  env["PORT"] = std::to_string(pick_free_port());
  const auto result = run_command({"serve"}, env, std::chrono::seconds(30));
  EXPECT_FALSE(result.timed_out) << output(result);
  EXPECT_NE(result.exit_code, 0) << output(result);
  EXPECT_NE(result.err.find("SECRET_KEY"), std::string::npos) << output(result);
}

TEST(CliE2eTest, ServeWithATooShortSecretKeyFailsNamingIt) {
  TestDatabases databases;
  EnvMap env = host_environment(databases);
  env["SECRET_KEY"] = "short";
  env["PORT"] = std::to_string(pick_free_port());
  const auto result = run_command({"serve"}, env, std::chrono::seconds(30));
  EXPECT_FALSE(result.timed_out) << output(result);
  EXPECT_NE(result.exit_code, 0) << output(result);
  EXPECT_NE(result.err.find("SECRET_KEY"), std::string::npos) << output(result);
}

TEST(CliE2eTest, ServeWithoutDatabaseUrlsFailsNamingBoth) {
  const auto result = run_command({"serve"}, {{"SECRET_KEY", random_secret(48)}}, std::chrono::seconds(30));
  EXPECT_FALSE(result.timed_out) << output(result);
  EXPECT_NE(result.exit_code, 0) << output(result);
  EXPECT_NE(result.err.find("DATABASE_URL_AUTH"), std::string::npos) << output(result);
  EXPECT_NE(result.err.find("DATABASE_URL_SPECS"), std::string::npos) << output(result);
}

TEST(CliE2eTest, ServeStopsCleanlyOnSigterm) {
  TestDatabases databases;
  HostProcess host(host_environment(databases));
  ASSERT_NO_THROW(host.start());
  EXPECT_EQ(host.stop(std::chrono::seconds(10)), 0) << host.stderr_text();
}

TEST(CliE2eTest, DoctorOnAHealthySetupExits0) {
  TestDatabases databases;
  const EnvMap env = migrated(databases);
  const auto result = run_command({"doctor"}, env);
  EXPECT_EQ(result.exit_code, 0) << output(result);
  EXPECT_NE(result.out.find("no problems found"), std::string::npos) << output(result);
}

TEST(CliE2eTest, DoctorBeforeMigrateExits1AndSaysToMigrate) {
  TestDatabases databases;
  const auto result = run_command({"doctor"}, host_environment(databases));
  EXPECT_EQ(result.exit_code, 1) << output(result);
  EXPECT_NE(result.out.find("socrates-host migrate"), std::string::npos) << output(result);
}

TEST(CliE2eTest, DoctorWithAnUnreachableAuthDatabaseExits1WithTheFix) {
  TestDatabases databases;
  EnvMap env = migrated(databases);
  env["DATABASE_URL_AUTH"] = url_for_database(test_cluster_url(), "socrates_no_such_database");
  const auto result = run_command({"doctor"}, env);
  EXPECT_EQ(result.exit_code, 1) << output(result);
  // The problem names the setting to fix, and the healthy database is still reported healthy.
  EXPECT_NE(result.out.find("check DATABASE_URL_AUTH"), std::string::npos) << output(result);
  EXPECT_NE(result.out.find("specs: reachable"), std::string::npos) << output(result);
}

TEST(CliE2eTest, DoctorWithoutASecretExits1) {
  TestDatabases databases;
  EnvMap env = migrated(databases);
  env.erase("SECRET_KEY");
  const auto result = run_command({"doctor"}, env);
  EXPECT_EQ(result.exit_code, 1) << output(result);
  EXPECT_NE(result.out.find("SECRET_KEY"), std::string::npos) << output(result);
}

TEST(CliE2eTest, DoctorReportsABrokenRequiredPlugin) {
  TestDatabases databases;
  EnvMap env = migrated(databases);
  env["PLUGINS"] = real_plugins() + "," + kFixtureDir + "/libfixture_no_descriptor.so";
  const auto result = run_command({"doctor"}, env);
  EXPECT_EQ(result.exit_code, 1) << output(result);
  EXPECT_NE(result.out.find("libfixture_no_descriptor.so"), std::string::npos) << output(result);
}

// An isolated entry is loaded in a child process, as serve would: a library that crashes as it is
// made is a problem doctor reports, not the end of doctor.
TEST(CliE2eTest, DoctorLoadsAnIsolatedPluginInAChildAndReportsOneThatCrashesAsItLoads) {
  TestDatabases databases;
  EnvMap env = migrated(databases);
  env["PLUGINS"] = real_plugins() + ",isolated:" + kFixtureDir + "/libfixture_crash.so";
  const auto healthy = run_command({"doctor"}, env);
  EXPECT_EQ(healthy.exit_code, 0) << output(healthy);
  EXPECT_NE(healthy.out.find("fixture_crash 1.0.0 from " + kFixtureDir + "/libfixture_crash.so (isolated"),
            std::string::npos)
      << output(healthy);

  env["PLUGINS"] = real_plugins() + ",isolated:" + kFixtureDir + "/libfixture_crash_at_load.so";
  const auto crashed = run_command({"doctor"}, env);
  EXPECT_EQ(crashed.exit_code, 1) << output(crashed);
  EXPECT_NE(crashed.out.find("libfixture_crash_at_load.so"), std::string::npos) << output(crashed);
  EXPECT_NE(crashed.err.find("1 problem(s) found"), std::string::npos) << output(crashed);
}

TEST(CliE2eTest, PluginCheckLoadsAnIsolatedLibraryInAChildAndSurvivesOneThatCrashesAsItLoads) {
  const auto ok = run_command({"plugin-check", "isolated:" + kPluginDir + "/libproject_manager_agent.so"}, {});
  ASSERT_EQ(ok.exit_code, 0) << output(ok);
  EXPECT_NE(ok.out.find("isolated:     yes"), std::string::npos) << output(ok);
  EXPECT_NE(ok.out.find("archive"), std::string::npos) << output(ok);  // its actions, asked of the child

  const auto crashed = run_command({"plugin-check", "isolated:" + kFixtureDir + "/libfixture_crash_at_load.so"}, {});
  EXPECT_EQ(crashed.exit_code, 1) << output(crashed);
  EXPECT_NE(crashed.err.find("incompatible: "), std::string::npos) << output(crashed);
  EXPECT_NE(crashed.err.find("libfixture_crash_at_load.so"), std::string::npos) << output(crashed);
}

// A provider's model list, as both APIs answer GET .../models.
ScriptedReply model_list(const std::vector<std::string>& ids) {
  nlohmann::json data = nlohmann::json::array();
  for (const auto& id : ids) data.push_back({{"id", id}, {"object", "model"}});
  ScriptedReply reply;
  reply.body = nlohmann::json({{"data", data}, {"object", "list"}}).dump();
  return reply;
}

TEST(CliE2eTest, DoctorAsksTheLlmProviderForItsModelsWithTheKey) {
  TestDatabases databases;
  FakeLlmServer provider;
  provider.push(model_list({"claude-other-1", "claude-fake-1"}));
  EnvMap env = migrated(databases);
  env["LLM_PROVIDER"] = "anthropic";
  env["ANTHROPIC_API_KEY"] = "sk-doctor-test";
  env["LLM_BASE_URL"] = provider.base_url();
  env["LLM_MODEL"] = "claude-fake-1";
  const auto result = run_command({"doctor"}, env);
  EXPECT_EQ(result.exit_code, 0) << output(result);
  EXPECT_NE(result.out.find("reachable, key accepted, 2 model(s) offered"), std::string::npos) << output(result);
  EXPECT_EQ(result.out.find("is not in its list"), std::string::npos) << output(result);
  EXPECT_EQ(result.out.find("sk-doctor-test"), std::string::npos) << "the key is never printed";
  const auto sent = provider.requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].method, "GET");
  EXPECT_EQ(sent[0].path.substr(0, sent[0].path.find('?')), "/v1/models");
  EXPECT_EQ(sent[0].header("x-api-key"), "sk-doctor-test");
}

TEST(CliE2eTest, DoctorReportsAKeyTheLlmProviderRefuses) {
  TestDatabases databases;
  FakeLlmServer provider;
  provider.push(FakeLlmServer::anthropic_error(401, "authentication_error", "invalid x-api-key"));
  EnvMap env = migrated(databases);
  env["LLM_PROVIDER"] = "anthropic";
  env["ANTHROPIC_API_KEY"] = "sk-wrong";
  env["LLM_BASE_URL"] = provider.base_url();
  const auto result = run_command({"doctor"}, env);
  EXPECT_EQ(result.exit_code, 1) << output(result);
  EXPECT_NE(result.out.find("refuses the key (HTTP 401, authentication_error: invalid x-api-key): check "
                            "ANTHROPIC_API_KEY"),
            std::string::npos)
      << output(result);
}

TEST(CliE2eTest, DoctorReportsAnLlmProviderThatDoesNotAnswer) {
  TestDatabases databases;
  EnvMap env = migrated(databases);
  env["LLM_PROVIDER"] = "openai";
  env["LLM_BASE_URL"] = "http://127.0.0.1:" + std::to_string(pick_free_port()) + "/v1";
  const auto result = run_command({"doctor"}, env);
  EXPECT_EQ(result.exit_code, 1) << output(result);
  EXPECT_NE(result.out.find("does not answer"), std::string::npos) << output(result);
  EXPECT_NE(result.out.find("check LLM_BASE_URL"), std::string::npos) << output(result);
}

TEST(CliE2eTest, DoctorWarnsOfAModelTheProviderDoesNotList) {
  TestDatabases databases;
  FakeLlmServer provider;
  provider.push(model_list({"llama-3-8b"}));
  EnvMap env = migrated(databases);
  env["LLM_PROVIDER"] = "openai";
  env["LLM_BASE_URL"] = provider.base_url() + "/v1";
  env["LLM_API_KEY"] = "local-key";
  env["LLM_MODEL"] = "lama-3-8b";
  const auto result = run_command({"doctor"}, env);
  // A warning only: providers resolve aliases they do not list.
  EXPECT_EQ(result.exit_code, 0) << output(result);
  EXPECT_NE(result.out.find("LLM_MODEL 'lama-3-8b' is not in its list (llama-3-8b)"), std::string::npos)
      << output(result);
  const auto sent = provider.requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].path, "/v1/models");
  EXPECT_EQ(sent[0].header("authorization"), "Bearer local-key");
}

TEST(CliE2eTest, PluginCheckPrintsTheDescriptorOfARealAgent) {
  const auto result = run_command({"plugin-check", kPluginDir + "/libproject_manager_agent.so"}, {});
  ASSERT_EQ(result.exit_code, 0) << output(result);
  EXPECT_NE(result.out.find("project_manager"), std::string::npos) << output(result);
  for (const char* capability : {"archive", "create", "get", "list", "restore", "update"})
    EXPECT_NE(result.out.find(capability), std::string::npos) << capability << "\n" << output(result);
  EXPECT_NE(result.out.find("abi:          " + std::to_string(SOCRATES_ABI_VERSION_MAJOR) + "."), std::string::npos)
      << output(result);
  EXPECT_NE(result.out.find("built with:   " SOCRATES_SDK_BUILT_WITH), std::string::npos) << output(result);
}

TEST(CliE2eTest, PluginCheckListsInternalActionsApart) {
  const auto result = run_command({"plugin-check", kPluginDir + "/libsocratic_agent.so"}, {});
  ASSERT_EQ(result.exit_code, 0) << output(result);
  const auto public_line = result.out.find("capabilities:");
  const auto internal_line = result.out.find("internal:");
  ASSERT_NE(public_line, std::string::npos) << output(result);
  ASSERT_NE(internal_line, std::string::npos) << output(result);
  const std::string capabilities = result.out.substr(public_line, result.out.find('\n', public_line) - public_line);
  const std::string internal = result.out.substr(internal_line, result.out.find('\n', internal_line) - internal_line);
  EXPECT_NE(capabilities.find(" next_question"), std::string::npos) << output(result);
  EXPECT_EQ(capabilities.find(" reply"), std::string::npos) << output(result);
  EXPECT_NE(internal.find(" reply"), std::string::npos) << output(result);
}

TEST(CliE2eTest, PluginCheckRefusesALibraryWithoutADescriptor) {
  const std::string library = kFixtureDir + "/libfixture_no_descriptor.so";
  const auto result = run_command({"plugin-check", library}, {});
  EXPECT_EQ(result.exit_code, 1) << output(result);
  EXPECT_NE((result.out + result.err).find("libfixture_no_descriptor.so"), std::string::npos) << output(result);
}

TEST(CliE2eTest, PluginCheckRefusesAMissingFile) {
  const auto result = run_command({"plugin-check", "/nonexistent/libnothing_here.so"}, {});
  EXPECT_EQ(result.exit_code, 1) << output(result);
  EXPECT_NE((result.out + result.err).find("libnothing_here.so"), std::string::npos) << output(result);
}

// plugin-check applies serve's file rules, with the same reasons, and says when a reload request
// could not name the library.
TEST(CliE2eTest, PluginCheckRefusesALibraryOthersCanWriteAndNotesOneOutsidePluginDir) {
  ScratchDir dir;
  const auto library = dir.path() / "libproject_manager_agent.so";
  std::filesystem::copy_file(kPluginDir + "/libproject_manager_agent.so", library);

  const auto outside = run_command({"plugin-check", library.string()}, {{"PLUGIN_DIR", kPluginDir}});
  ASSERT_EQ(outside.exit_code, 0) << output(outside);
  EXPECT_NE(outside.out.find("outside PLUGIN_DIR (" + kPluginDir + ")"), std::string::npos) << output(outside);
  const auto inside = run_command({"plugin-check", library.string()}, {{"PLUGIN_DIR", dir.path().string()}});
  ASSERT_EQ(inside.exit_code, 0) << output(inside);
  EXPECT_EQ(inside.out.find("outside PLUGIN_DIR"), std::string::npos) << output(inside);

  std::filesystem::permissions(library, std::filesystem::perms(0775), std::filesystem::perm_options::replace);
  const auto refused = run_command({"plugin-check", library.string()}, {});
  EXPECT_EQ(refused.exit_code, 1) << output(refused);
  EXPECT_NE(refused.err.find("writable by its group (mode 0775)"), std::string::npos) << output(refused);
  EXPECT_NE(refused.err.find("chmod go-w"), std::string::npos) << output(refused);
}

TEST(CliE2eTest, ServeWithAMissingRequiredPluginFailsNamingTheLibrary) {
  TestDatabases databases;
  EnvMap env = host_environment(databases);
  env["PLUGINS"] = real_plugins() + "," + kPluginDir + "/libmissing_agent.so";
  env["PORT"] = std::to_string(pick_free_port());
  const auto result = run_command({"serve"}, env, std::chrono::seconds(30));
  EXPECT_FALSE(result.timed_out) << output(result);
  EXPECT_NE(result.exit_code, 0) << output(result);
  EXPECT_NE(result.err.find("libmissing_agent.so"), std::string::npos) << output(result);
}

TEST(CliE2eTest, ServeWithAMissingOptionalPluginStartsDegraded) {
  TestDatabases databases;
  EnvMap env = host_environment(databases);
  env["PLUGINS"] = real_plugins() + ",optional:" + kPluginDir + "/libmissing_agent.so";
  HostProcess host(env);
  ASSERT_NO_THROW(host.start());
  const HttpClient client(host.base_url());

  EXPECT_EQ(client.get("/health").status, 200) << "liveness is not readiness";
  const auto health = client.get("/api/v1/admin/health");
  ASSERT_EQ(health.status, 503) << describe(health);
  EXPECT_EQ(health.json()["status"], "degraded");
  std::set<std::string> ok;
  int failed = 0;
  const auto body = health.json();
  for (const auto& agent : body["agents"]) {
    if (agent["status"] == "ok") ok.insert(agent["id"].get<std::string>());
    if (agent["status"] == "failed") ++failed;
  }
  EXPECT_EQ(ok, (std::set<std::string>{"project_manager", "socratic", "context"})) << health.body;
  EXPECT_EQ(failed, 1) << health.body;
  // The agents that did load serve as usual.
  const TestUser user = new_user(client);
  EXPECT_EQ(client.post("/api/v1/projects", {{"name", "still works"}}, user.access_token).status, 201);
}

CommandResult create_admin(const EnvMap& env, std::vector<std::string> options,
                           const std::optional<std::string>& input = std::nullopt) {
  std::vector<std::string> args{"create-admin"};
  args.insert(args.end(), options.begin(), options.end());
  return run_command(args, env, std::chrono::seconds(60), input);
}

std::string role_of(const TestDatabases& databases, const std::string& email) {
  return db_scalar(databases.auth_url(), "SELECT coalesce((SELECT role FROM users WHERE email = '" + email + "'), 'none')")
      .value_or("(error)");
}

TEST(CliE2eTest, CreateAdminRefusesABadEmailAndAShortPassword) {
  TestDatabases databases;
  const EnvMap env = migrated(databases);
  const auto bad_email = create_admin(env, {"--email", "not-an-email"}, "long enough 1\n");
  EXPECT_NE(bad_email.exit_code, 0) << output(bad_email);
  EXPECT_NE(bad_email.err.find("email"), std::string::npos) << output(bad_email);
  const std::string email = unique_email();
  const auto short_password = create_admin(env, {"--email", email}, "short\n");
  EXPECT_NE(short_password.exit_code, 0) << output(short_password);
  EXPECT_NE(short_password.err.find("password"), std::string::npos) << output(short_password);
  EXPECT_EQ(role_of(databases, email), "none");
  const auto missing = create_admin(env, {}, "long enough 1\n");
  EXPECT_NE(missing.exit_code, 0) << output(missing);
}

// The password on standard input, one line; the admin then logs in with it.
TEST(CliE2eTest, CreateAdminReadsThePasswordFromStandardInput) {
  TestDatabases databases;
  const EnvMap env = migrated(databases);
  const std::string email = unique_email("admin");
  const auto created = create_admin(env, {"--email", email}, "a password from stdin\n");
  ASSERT_EQ(created.exit_code, 0) << output(created);
  EXPECT_NE(created.out.find("created admin account " + email), std::string::npos) << output(created);
  EXPECT_EQ(role_of(databases, email), "admin");

  HostProcess host(env);
  ASSERT_NO_THROW(host.start());
  const HttpClient client(host.base_url());
  const auto logged_in = login(client, email, "a password from stdin");
  ASSERT_EQ(logged_in.status, 200) << describe(logged_in);
  EXPECT_EQ(logged_in.json()["user"]["role"], "admin");
}

TEST(CliE2eTest, CreateAdminRefusesAPasswordOnTheCommandLine) {
  TestDatabases databases;
  const EnvMap env = migrated(databases);
  const std::string email = unique_email("admin");
  const auto refused = create_admin(env, {"--email", email, "--password", "visible in ps"}, "visible in ps\n");
  EXPECT_EQ(refused.exit_code, 2) << output(refused);
  EXPECT_NE(refused.err.find("--password is refused"), std::string::npos) << output(refused);
  EXPECT_NE(refused.err.find("`ps`"), std::string::npos) << output(refused);
  EXPECT_NE(refused.err.find("standard input"), std::string::npos) << output(refused);
  EXPECT_EQ(role_of(databases, email), "none");
}

TEST(CliE2eTest, CreateAdminWithNothingOnStandardInputCreatesNothing) {
  TestDatabases databases;
  const EnvMap env = migrated(databases);
  const std::string email = unique_email("admin");
  const auto empty = create_admin(env, {"--email", email});  // stdin is /dev/null
  EXPECT_EQ(empty.exit_code, 1) << output(empty);
  EXPECT_NE(empty.err.find("no password on standard input"), std::string::npos) << output(empty);
  EXPECT_EQ(role_of(databases, email), "none");
}

TEST(CliE2eTest, CreateAdminRefusesAnExistingAccountUnlessToldToPromoteIt) {
  TestDatabases databases;
  const EnvMap env = migrated(databases);
  const std::string email = unique_email("squatter");
  exec_sql(databases.auth_url(),
           "INSERT INTO users (email, name, password_hash) VALUES ('" + email + "', 'someone', 'x')");

  const auto refused = create_admin(env, {"--email", email}, "a new password 1\n");
  EXPECT_EQ(refused.exit_code, 1) << output(refused);
  EXPECT_NE(refused.err.find("exists already"), std::string::npos) << output(refused);
  EXPECT_NE(refused.err.find("--promote"), std::string::npos) << output(refused);
  EXPECT_EQ(role_of(databases, email), "user");
  EXPECT_EQ(db_scalar(databases.auth_url(), "SELECT password_hash FROM users WHERE email = '" + email + "'"),
            std::optional<std::string>("x"));

  // --promote reads no password (stdin is /dev/null) and keeps the account's own.
  const auto promoted = create_admin(env, {"--email", email, "--promote"});
  ASSERT_EQ(promoted.exit_code, 0) << output(promoted);
  EXPECT_NE(promoted.out.find("promoted existing account " + email), std::string::npos) << output(promoted);
  EXPECT_NE(promoted.out.find("password is unchanged"), std::string::npos) << output(promoted);
  EXPECT_EQ(role_of(databases, email), "admin");
  EXPECT_EQ(db_scalar(databases.auth_url(), "SELECT password_hash FROM users WHERE email = '" + email + "'"),
            std::optional<std::string>("x"));
}

// Every run of a command must clean up after itself: a host is started and stopped many times a
// day, and each leftover directory stays in /tmp until a reboot.
TEST(CliE2eTest, PluginCheckLeavesNothingInTheTemporaryDirectory) {
  // In-process and isolated (the child's copy), and after a child that crashed as it loaded.
  for (const std::string& library : {kPluginDir + "/libproject_manager_agent.so",
                                     "isolated:" + kPluginDir + "/libproject_manager_agent.so",
                                     "isolated:" + kFixtureDir + "/libfixture_crash_at_load.so"}) {
    ScratchDir tmp;
    const auto result = run_command({"plugin-check", library}, {{"TMPDIR", tmp.path().string()}});
    EXPECT_EQ(result.exit_code, library.find("crash") == std::string::npos ? 0 : 1) << output(result);
    EXPECT_TRUE(tmp.entries().empty()) << library << " left behind:\n" << joined(tmp.entries());
  }
}

TEST(CliE2eTest, DoctorLeavesNothingInTheTemporaryDirectory) {
  TestDatabases databases;
  EnvMap env = migrated(databases);
  ScratchDir tmp;
  env["TMPDIR"] = tmp.path().string();
  const auto result = run_command({"doctor"}, env);
  ASSERT_EQ(result.exit_code, 0) << output(result);
  EXPECT_TRUE(tmp.entries().empty()) << "left behind:\n" << joined(tmp.entries());
}

TEST(CliE2eTest, ServeKeepsItsPluginCopiesInAPrivateDirectoryAndRemovesItOnSigterm) {
  TestDatabases databases;
  EnvMap env = host_environment(databases);
  ScratchDir tmp, copies;
  env["TMPDIR"] = tmp.path().string();
  env["PLUGIN_COPY_DIR"] = copies.path().string();
  HostProcess host(env);
  ASSERT_NO_THROW(host.start());
  EXPECT_TRUE(tmp.entries().empty()) << "nothing goes to TMPDIR:\n" << joined(tmp.entries());
  // One directory of the host's own, with a random name and mode 0700, holds the copies.
  std::vector<std::filesystem::path> dirs;
  for (const auto& entry : std::filesystem::directory_iterator(copies.path())) dirs.push_back(entry.path());
  ASSERT_EQ(dirs.size(), 1u) << joined(copies.entries());
  EXPECT_EQ(dirs[0].filename().string().rfind("plugins-", 0), 0u) << dirs[0];
  EXPECT_EQ(dirs[0].filename().string().size(), std::string("plugins-XXXXXX").size()) << dirs[0];
  EXPECT_EQ(std::filesystem::symlink_status(dirs[0]).permissions(), std::filesystem::perms::owner_all);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dirs[0]), std::filesystem::directory_iterator()), 3);
  ASSERT_EQ(host.stop(), 0) << host.stderr_text();
  EXPECT_TRUE(copies.entries().empty()) << "left behind:\n" << joined(copies.entries());
  EXPECT_TRUE(tmp.entries().empty()) << "left behind:\n" << joined(tmp.entries());
}

}  // namespace
}  // namespace socrates::test::e2e
