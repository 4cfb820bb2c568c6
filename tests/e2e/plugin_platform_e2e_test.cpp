// The plugin platform as a third party and an operator meet it, against the real socrates-host:
// the README's out-of-tree agent built against the installed SDK and called over HTTP; a hot swap
// of `socratic` through the admin endpoint, through SIGHUP, and under load; every refusal of a
// reload leaving the old generation serving; a factory that throws at start-up.
#include "e2e/e2e_helpers.hpp"
#include "support/gate.hpp"
#include "support/integration_fixture.hpp"

#include <socrates/abi.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

namespace socrates::test::e2e {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Everything is derived from the paths the test support already knows: the plugins are built into
// <build dir>/plugins, the migrations live in <source dir>/migrations.
const fs::path kPluginDir = SOCRATES_PLUGIN_DIR;
const fs::path kFixtureDir = SOCRATES_FIXTURE_DIR;
const fs::path kBuildDir = kPluginDir.parent_path();
const fs::path kSourceDir = fs::path(SOCRATES_MIGRATIONS_DIR).parent_path();

const fs::path kSocratic = kPluginDir / "libsocratic_agent.so";
const fs::path kSocraticNext = kFixtureDir / "libsocratic_next.so";
const std::string kNextVersion = "9.9.9-next";

std::string real_plugins(const fs::path& socratic = kSocratic) {
  return (kPluginDir / "libproject_manager_agent.so").string() + "," + socratic.string() + "," +
         (kPluginDir / "libcontext_agent.so").string();
}

// A directory of the test's own, removed with everything in it.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "socrates-e2e-platform-") {
    std::string pattern = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

struct ShellResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line to completion (cmake, readelf): the tools a third party would run.
ShellResult shell(const std::string& command) {
  ShellResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed for " + command);
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// The files of `pid`'s memory mappings whose name contains `needle` (e.g. "libsocratic_agent.").
std::set<std::string> mapped_files(pid_t pid, const std::string& needle) {
  std::set<std::string> files;
  std::istringstream maps(read_text("/proc/" + std::to_string(pid) + "/maps"));
  for (std::string line; std::getline(maps, line);) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string file = line.substr(slash);
    const std::string deleted = " (deleted)";
    if (file.size() > deleted.size() && file.compare(file.size() - deleted.size(), deleted.size(), deleted) == 0)
      file.resize(file.size() - deleted.size());
    if (fs::path(file).filename().string().find(needle) != std::string::npos) files.insert(file);
  }
  return files;
}

// Polls until `file` is no longer among `pid`'s mappings; true when it went within `timeout`.
bool wait_until_unmapped(pid_t pid, const std::string& file, milliseconds timeout = milliseconds(30000)) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const std::string maps = read_text("/proc/" + std::to_string(pid) + "/maps");
    if (maps.find(file) == std::string::npos) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

// The text between "```<language>\n" and the next "```" line, starting at `from`.
std::string fenced_block(const std::string& text, const std::string& language, std::size_t from) {
  const std::string open = "```" + language + "\n";
  const auto start = text.find(open, from);
  if (start == std::string::npos) return "";
  const auto body = start + open.size();
  const auto end = text.find("\n```", body - 1);
  if (end == std::string::npos) return "";
  return text.substr(body, end + 1 - body);
}

// A started host of the test's own on fresh databases, with a logged-in user and an admin made the
// way an operator makes one (`socrates-host create-admin`).
class PlatformHost {
 public:
  explicit PlatformHost(EnvMap overrides = {}, const std::vector<std::string>& unset = {})
      : databases_(std::make_unique<TestDatabases>()), env_(host_environment(*databases_)) {
    // The private copies go to a directory the test can look into. PLUGIN_DIR holds the fixtures
    // that reloads name; the real agents are listed in PLUGINS by their paths.
    env_["PLUGIN_COPY_DIR"] = (copies_.path() / "copies").string();
    env_["PLUGIN_DIR"] = kFixtureDir.string();
    env_["PLUGINS"] = real_plugins();
    for (const auto& [name, value] : overrides) env_[name] = value;
    for (const auto& name : unset) env_.erase(name);
    process_ = std::make_unique<HostProcess>(env_);
    process_->start();
    user_ = new_user(client());
    admin_ = make_admin();
  }

  HttpClient client() const { return HttpClient(process_->base_url()); }
  HostProcess& process() { return *process_; }
  const EnvMap& env() const { return env_; }
  const TestUser& user() const { return user_; }
  const TestUser& admin() const { return admin_; }
  fs::path copy_dir() const { return copies_.path() / "copies"; }
  // The directory the host made inside copy_dir() for its copies (it must be the only one).
  fs::path private_dir() const {
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(copy_dir())) dirs.push_back(entry.path());
    EXPECT_EQ(dirs.size(), 1u) << "expected one private directory in " << copy_dir();
    return dirs.empty() ? fs::path() : dirs.front();
  }

  Response describe_socratic() const {
    return client().post("/api/v1/agents/socratic/describe", nlohmann::json::object(), user_.access_token);
  }
  // The version `describe` answers, or the whole answer when it is not a 200.
  std::string socratic_version() const {
    const auto response = describe_socratic();
    if (response.status != 200) return "HTTP " + std::to_string(response.status) + ": " + response.body;
    return response.json()["result"].value("version", "(none)");
  }
  Response reload(const std::string& id, const nlohmann::json& body, const std::string& token = "") const {
    return client().post("/api/v1/admin/agents/" + id + "/reload", body,
                         token.empty() ? admin_.access_token : token);
  }
  // The entry of GET /api/v1/admin/agents for `id` (null when it is not listed).
  nlohmann::json admin_entry(const std::string& id) const {
    const auto response = client().get("/api/v1/admin/agents", admin_.access_token);
    EXPECT_EQ(response.status, 200) << e2e::describe(response);
    const auto body = response.json();  // kept: a range-for over a temporary's member dangles
    if (body.is_object() && body.contains("items"))
      for (const auto& item : body["items"])
        if (item["id"] == id) return item;
    return nullptr;
  }
  std::set<std::string> mapped(const std::string& needle) const { return mapped_files(process_->pid(), needle); }
  const std::string& specs_url() const { return databases_->specs_url(); }

 private:
  TestUser make_admin() const { return e2e::make_admin(client(), env_); }

  TempDir copies_;
  std::unique_ptr<TestDatabases> databases_;
  EnvMap env_;
  std::unique_ptr<HostProcess> process_;
  TestUser user_, admin_;
};

class PluginPlatformE2eTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (!host_) return;
    int exit_code = 0;
    EXPECT_TRUE(host_->process().alive(&exit_code))
        << "the host died during the test (status " << exit_code << "); stderr:\n"
        << host_->process().stderr_text();
  }

  PlatformHost& start_host(EnvMap overrides = {}, const std::vector<std::string>& unset = {}) {
    host_ = std::make_unique<PlatformHost>(std::move(overrides), unset);
    return *host_;
  }

  std::unique_ptr<PlatformHost> host_;
};

// ---------------------------------------------------------------------------------------------
// A third party: the README's example, built out of tree against the installed SDK.

TEST_F(PluginPlatformE2eTest, ReadmeExampleBuildsAgainstTheInstalledSdkAndAnswersOverHttp) {
  TempDir work("socrates-e2e-readme-");
  const fs::path prefix = work.path() / "prefix";
  const fs::path source = work.path() / "hello";
  const fs::path build = work.path() / "hello-build";

  // 1. Install the SDK the way the README says.
  const auto install = shell("cmake --install " + shell_quote(kBuildDir.string()) + " --prefix " +
                             shell_quote(prefix.string()));
  ASSERT_EQ(install.exit_code, 0) << install.output;
  EXPECT_TRUE(fs::exists(prefix / "include/socrates/sdk.hpp")) << install.output;

  // 2. Copy the example out of the README's section, exactly as written: each ```cpp block that
  //    starts with a `// <file>` line is that file, the ```cmake block is the CMakeLists.txt.
  const std::string readme = read_text(kSourceDir / "README.md");
  const auto section = readme.find("\n## Writing an agent plugin");
  ASSERT_NE(section, std::string::npos) << "README.md has no section 'Writing an agent plugin'";
  const auto section_end = readme.find("\n## ", section + 1);
  const std::string text = readme.substr(section, section_end == std::string::npos ? std::string::npos
                                                                                    : section_end - section);
  const std::string cmake = fenced_block(text, "cmake", 0);
  ASSERT_FALSE(cmake.empty()) << "no ```cmake block in the README's section:\n" << text;
  fs::create_directories(source);
  write_text(source / "CMakeLists.txt", cmake);
  const std::regex file_line(R"(^// ([A-Za-z0-9_.-]+\.(?:cpp|hpp))\n)");
  std::set<std::string> files;
  for (std::size_t from = 0;;) {
    const auto start = text.find("```cpp\n", from);
    if (start == std::string::npos) break;
    const std::string cpp = fenced_block(text, "cpp", start);
    from = start + 1;
    std::smatch named;
    if (!std::regex_search(cpp, named, file_line)) continue;  // a snippet, not a file
    write_text(source / named[1].str(), cpp);
    files.insert(named[1].str());
  }
  EXPECT_EQ(files, (std::set<std::string>{"hello_agent.hpp", "hello_agent.cpp", "hello_agent_test.cpp"})) << text;
  // The CMakeLists.txt names the agent's target.
  const std::regex add_agent(R"(socrates_add_agent\(\s*([A-Za-z0-9_]+)\s)");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(cmake, match, add_agent)) << cmake;
  const std::string target = match[1];

  // 3. Configure and build it against the installed prefix only (and the system's GoogleTest).
  const auto configure = shell("cmake -S " + shell_quote(source.string()) + " -B " + shell_quote(build.string()) +
                               " -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_PREFIX_PATH=" +
                               shell_quote(prefix.string()));
  ASSERT_EQ(configure.exit_code, 0) << configure.output;
  const auto compiled = shell("cmake --build " + shell_quote(build.string()));
  ASSERT_EQ(compiled.exit_code, 0) << compiled.output;
  const fs::path library = build / ("lib" + target + ".so");
  ASSERT_TRUE(fs::exists(library)) << compiled.output;

  // 3b. Its unit test, on sdk/testing.hpp alone (no host, no database), passes under ctest.
  const auto tested = shell("ctest --test-dir " + shell_quote(build.string()) + " --output-on-failure");
  ASSERT_EQ(tested.exit_code, 0) << tested.output;
  EXPECT_NE(tested.output.find("100% tests passed, 0 tests failed out of 1"), std::string::npos) << tested.output;

  // 4. Built so that it can be unloaded: no STB_GNU_UNIQUE symbol.
  const auto symbols = shell("readelf -W --dyn-syms " + shell_quote(library.string()));
  ASSERT_EQ(symbols.exit_code, 0) << symbols.output;
  EXPECT_EQ(symbols.output.find("UNIQUE"), std::string::npos) << symbols.output;

  // 5. The host's own check accepts it.
  const auto check = run_command({"plugin-check", library.string()}, {});
  ASSERT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("hello"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("greet"), std::string::npos) << check.out;

  // 6. Loaded beside the three real agents, it answers over HTTP, counting in its own table (its
  //    migration was applied at load, in the schema "hello").
  PlatformHost& host = start_host({{"PLUGINS", real_plugins() + "," + library.string()}});
  const auto greet = [&host] {
    return host.client().post("/api/v1/agents/hello/greet", {{"name", "Ann"}}, host.user().access_token);
  };
  const auto greeting = greet();
  ASSERT_EQ(greeting.status, 200) << describe(greeting);
  EXPECT_EQ(greeting.json()["result"]["greeting"], "Hello, Ann") << greeting.body;
  EXPECT_EQ(greeting.json()["result"]["user"], host.user().id) << greeting.body;
  EXPECT_EQ(greeting.json()["result"]["times"], 1) << greeting.body;
  EXPECT_EQ(greet().json()["result"]["times"], 2);
  EXPECT_TRUE(IsValidationError(
      host.client().post("/api/v1/agents/hello/greet", nlohmann::json::object(), host.user().access_token), "name"));
  const auto entry = host.admin_entry("hello");
  ASSERT_TRUE(entry.is_object()) << "hello is not listed by GET /api/v1/admin/agents";
  EXPECT_EQ(entry["library"], library.string());
  const std::string ledger = "SELECT string_agg(filename, ',' ORDER BY filename) FROM hello.schema_migrations";
  EXPECT_EQ(test::db_scalar(host.specs_url(), ledger), "001_greetings");

  // 7. The next version brings a second migration, as the README says to (appended, the first one
  //    untouched); rebuilt in place and reloaded from the configured path, the host applies it
  //    before the new build serves, and the counts are read back through it.
  std::string agent_cpp = read_text(source / "hello_agent.cpp");
  const auto array_end = agent_cpp.find("};\nSOCRATES_DECLARE_AGENT_WITH_MIGRATIONS");
  ASSERT_NE(array_end, std::string::npos) << agent_cpp;
  agent_cpp.insert(array_end,
                   "    {\"002_greeted_at\", \"ALTER TABLE greetings ADD COLUMN greeted_at timestamptz NOT NULL "
                   "DEFAULT now()\"},\n");
  const auto version = agent_cpp.find("\"1.1.0\"");
  ASSERT_NE(version, std::string::npos) << agent_cpp;
  agent_cpp.replace(version, 7, "\"1.2.0\"");
  write_text(source / "hello_agent.cpp", agent_cpp);
  const auto rebuilt = shell("cmake --build " + shell_quote(build.string()) + " --target " + target);
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.output;
  const auto reloaded = host.reload("hello", nlohmann::json::object());
  ASSERT_EQ(reloaded.status, 200) << describe(reloaded);
  EXPECT_EQ(reloaded.json()["version"], "1.2.0") << reloaded.body;
  EXPECT_EQ(test::db_scalar(host.specs_url(), ledger), "001_greetings,002_greeted_at");
  EXPECT_EQ(test::db_scalar(host.specs_url(), "SELECT count(*) FROM hello.greetings WHERE greeted_at IS NOT NULL"),
            "1");
  EXPECT_EQ(greet().json()["result"]["times"], 3);
}

// A plugin cannot read the accounts database (password hashes, logins): the services the host
// gives agents refuse it, whatever the plugin's SDK version asks for (SDK 1.2's Database::kAuth).
TEST_F(PluginPlatformE2eTest, APluginAskingForTheAccountsDatabaseIsRefused) {
  PlatformHost& host =
      start_host({{"PLUGINS", real_plugins() + "," + (kFixtureDir / "libfixture_accounts_reader.so").string()}});
  const auto read = host.client().post("/api/v1/agents/fixture_accounts_reader/read_users", nlohmann::json::object(),
                                       host.user().access_token);
  EXPECT_EQ(read.status, 500) << describe(read);
  EXPECT_EQ(read.json()["error"]["code"], "INTERNAL_ERROR") << read.body;
  EXPECT_EQ(read.body.find(host.user().email), std::string::npos) << read.body;
  EXPECT_EQ(read.body.find("argon2"), std::string::npos) << read.body;

  const auto refusal = host.client().post("/api/v1/agents/fixture_accounts_reader/refusal", nlohmann::json::object(),
                                          host.user().access_token);
  ASSERT_EQ(refusal.status, 200) << describe(refusal);
  EXPECT_EQ(refusal.json()["result"]["opened"], false) << refusal.body;
  EXPECT_EQ(refusal.json()["result"]["refused"], true) << refusal.body;
  EXPECT_NE(refusal.json()["result"]["message"].get<std::string>().find("specifications database"), std::string::npos)
      << refusal.body;
  // The agent's own database still opens: the real agents answer.
  EXPECT_EQ(host.client().get("/api/v1/projects", host.user().access_token).status, 200);
}

// Every agent library the project builds can be unloaded (the real ones, the reload fixture, the
// plugins built with clang/libc++ and in C).
TEST_F(PluginPlatformE2eTest, AgentLibrariesExportNoUniqueSymbols) {
  for (const fs::path& library : {kPluginDir / "libproject_manager_agent.so", kSocratic,
                                  kPluginDir / "libcontext_agent.so", kSocraticNext,
                                  kFixtureDir / "libfixture_libcxx.so", kFixtureDir / "libfixture_c.so"}) {
    SCOPED_TRACE(library.string());
    const auto symbols = shell("readelf -W --dyn-syms " + shell_quote(library.string()));
    ASSERT_EQ(symbols.exit_code, 0) << symbols.output;
    EXPECT_EQ(symbols.output.find("UNIQUE"), std::string::npos) << symbols.output;
  }
}

// Plugins the host's compiler did not build, through the real binary: an agent of the C++ SDK built
// with clang 15 and libc++, and one in plain C, answer over HTTP with the real database; the C one
// is hot-swapped for its build of the ABI's first minor, and SIGHUP reloads them all; each old
// generation is unloaded.
TEST_F(PluginPlatformE2eTest, PluginsOfAnotherCompilerAndInCAnswerReloadAndUnload) {
  const fs::path libcxx = kFixtureDir / "libfixture_libcxx.so";
  const fs::path c_agent = kFixtureDir / "libfixture_c.so";
  ASSERT_TRUE(fs::exists(libcxx)) << "built with clang++-15 (scripts/install-deps.sh test)";
  PlatformHost& host = start_host({{"PLUGINS", real_plugins() + "," + libcxx.string() + "," + c_agent.string()},
                                   {"FIXTURE_C_SETTING", "set by the operator"}});
  const std::string token = host.user().access_token;
  auto post = [&](const std::string& path, const nlohmann::json& body) {
    return host.client().post("/api/v1/agents/" + path, body, token);
  };

  // The database, through the C table from both.
  const auto c_sum = post("fixture_c/sum", {{"a", 40}, {"b", 2}});
  ASSERT_EQ(c_sum.status, 200) << describe(c_sum);
  EXPECT_EQ(c_sum.json()["result"], (nlohmann::json{{"sum", "42"}}));
  const auto cxx_sum = post("fixture_libcxx/sum", {{"a", 1}, {"b", 2}});
  ASSERT_EQ(cxx_sum.status, 200) << describe(cxx_sum);
  EXPECT_EQ(cxx_sum.json()["result"], (nlohmann::json{{"sum", 3}}));

  const auto greeting = post("fixture_libcxx/greet", {{"name", "Ann"}});
  ASSERT_EQ(greeting.status, 200) << describe(greeting);
  EXPECT_EQ(greeting.json()["result"]["greeting"], "Hello, Ann");
  EXPECT_EQ(greeting.json()["result"]["caller"], host.user().id);
  EXPECT_TRUE(IsValidationError(post("fixture_libcxx/greet", nlohmann::json::object()), "name"));
  EXPECT_TRUE(IsApiError(post("fixture_libcxx/throws", nlohmann::json::object()), 500, "AGENT_ERROR"));
  EXPECT_EQ(post("fixture_c/setting", nlohmann::json::object()).json()["result"]["value"], "set by the operator");
  const auto whoami = post("fixture_c/whoami", nlohmann::json::object());
  ASSERT_EQ(whoami.status, 200) << describe(whoami);
  EXPECT_EQ(whoami.json()["result"]["user_id"], host.user().id);
  EXPECT_TRUE(IsApiError(post("fixture_c/refuse", nlohmann::json::object()), 400, "UNSUPPORTED_ACTION"))
      << "an internal action of a C plugin is not on the generic route";
  EXPECT_EQ(host.admin_entry("fixture_libcxx")["sdk_version"],
            std::to_string(SOCRATES_ABI_VERSION_MAJOR) + "." + std::to_string(SOCRATES_ABI_VERSION_MINOR));

  // Hot swap: the C agent for its build of the ABI's first minor, which this host still loads.
  const auto c_copies = host.mapped("libfixture_c.");
  ASSERT_EQ(c_copies.size(), 1u);
  const auto swapped = host.reload("fixture_c", {{"library", "libfixture_c_abi20.so"}});
  ASSERT_EQ(swapped.status, 200) << describe(swapped);
  EXPECT_EQ(swapped.json()["sdk_version"], std::to_string(SOCRATES_ABI_VERSION_MAJOR) + ".0");
  EXPECT_EQ(swapped.json()["version"], "0.2.0-abi20");
  EXPECT_EQ(post("fixture_c/whoami", nlohmann::json::object()).json()["result"]["abi_minor"], 0);
  EXPECT_EQ(post("fixture_c/sum", nlohmann::json::object()).json()["result"]["sum"], "42");
  EXPECT_TRUE(wait_until_unmapped(host.process().pid(), *c_copies.begin()));

  // SIGHUP: every agent from its configured library again, the clang/libc++ one included.
  const auto cxx_before = host.admin_entry("fixture_libcxx");
  const auto cxx_copies = host.mapped("libfixture_libcxx.");
  ASSERT_EQ(cxx_copies.size(), 1u);
  ASSERT_EQ(::kill(host.process().pid(), SIGHUP), 0);
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (host.admin_entry("fixture_libcxx")["generation"] == cxx_before["generation"] && Clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(20));
  EXPECT_GT(host.admin_entry("fixture_libcxx")["generation"].get<long long>(),
            cxx_before["generation"].get<long long>());
  EXPECT_TRUE(wait_until_unmapped(host.process().pid(), *cxx_copies.begin()));
  EXPECT_EQ(post("fixture_libcxx/sum", nlohmann::json::object()).json()["result"]["sum"], 42);
  // The C agent again from the library it now comes from, the first minor's build.
  const auto c_after = host.admin_entry("fixture_c");
  EXPECT_GT(c_after["generation"].get<long long>(), swapped.json()["generation"].get<long long>());
  EXPECT_EQ(c_after["library"], (kFixtureDir / "libfixture_c_abi20.so").string());
  EXPECT_EQ(post("fixture_c/whoami", nlohmann::json::object()).json()["result"]["abi_minor"], 0);
}

// ---------------------------------------------------------------------------------------------
// An operator: POST /api/v1/admin/agents/{id}/reload.

TEST_F(PluginPlatformE2eTest, ReloadSwapsInTheRebuiltLibraryAndReleasesTheOldGeneration) {
  PlatformHost& host = start_host();
  const std::string old_version = host.socratic_version();
  ASSERT_NE(old_version, kNextVersion);
  ASSERT_EQ(old_version.rfind("HTTP", 0), std::string::npos) << old_version;
  const auto before = host.admin_entry("socratic");
  ASSERT_TRUE(before.is_object());
  const auto old_copies = host.mapped("libsocratic_agent.");
  ASSERT_EQ(old_copies.size(), 1u) << "expected one private copy of socratic mapped";
  const std::string old_copy = *old_copies.begin();
  EXPECT_EQ(fs::path(old_copy).parent_path(), host.private_dir()) << old_copy;

  const auto reloaded = host.reload("socratic", {{"library", kSocraticNext.string()}});
  ASSERT_EQ(reloaded.status, 200) << describe(reloaded);
  const auto entry = reloaded.json();
  EXPECT_EQ(entry["id"], "socratic");
  EXPECT_EQ(entry["version"], kNextVersion);
  EXPECT_EQ(entry["library"], kSocraticNext.string());
  EXPECT_GT(entry["generation"].get<long long>(), before["generation"].get<long long>()) << entry.dump();
  EXPECT_EQ(entry["capabilities"], before["capabilities"]);
  EXPECT_TRUE(entry["sdk_version"].is_string());
  EXPECT_TRUE(is_rfc3339_utc(entry["loaded_at"]));

  EXPECT_EQ(host.socratic_version(), kNextVersion);
  const auto listed = host.admin_entry("socratic");
  EXPECT_EQ(listed["generation"], entry["generation"]) << listed.dump();
  EXPECT_EQ(listed["library"], kSocraticNext.string()) << listed.dump();
  EXPECT_EQ(listed["version"], kNextVersion) << listed.dump();
  // The counters belong to the agent, not to a generation.
  EXPECT_GE(listed["stats"]["requests"].get<long long>(), 2) << listed.dump();

  // The old generation had no request left, so its library is gone from the process and from disk.
  EXPECT_TRUE(wait_until_unmapped(host.process().pid(), old_copy))
      << old_copy << " is still mapped:\n"
      << read_text("/proc/" + std::to_string(host.process().pid()) + "/maps");
  EXPECT_FALSE(fs::exists(old_copy)) << old_copy;
  EXPECT_EQ(host.mapped("libsocratic_next.").size(), 1u);

  // Reloading again without a body reloads from the library the agent now comes from.
  const auto again = host.reload("socratic", nlohmann::json::object());
  ASSERT_EQ(again.status, 200) << describe(again);
  EXPECT_EQ(again.json()["generation"].get<long long>(), entry["generation"].get<long long>() + 1);
  EXPECT_EQ(again.json()["version"], kNextVersion);
  EXPECT_EQ(host.socratic_version(), kNextVersion);
}

TEST_F(PluginPlatformE2eTest, ReloadRefusesIncompatibleLibrariesAndTheOldGenerationKeepsServing) {
  PlatformHost& host = start_host();
  const std::string old_version = host.socratic_version();
  const auto before = host.admin_entry("socratic");
  const std::string host_abi = before["sdk_version"];
  EXPECT_TRUE(before["refused_reload"].is_null()) << before.dump();

  struct Case {
    std::string library;
    std::vector<std::string> message_parts;  // the host's value and the plugin's value
  };
  const std::vector<Case> cases = {
      {"libfixture_future_abi.so", {"host ABI " + host_abi, "plugin built for ABI 3.", "major version"}},
      {"libfixture_newer_minor.so", {"host ABI " + host_abi, "plugin built for ABI 2.99", "newer"}},
      {"libfixture_sdk1.so", {"built for SDK 1.x", "C++ objects", "rebuild"}},
      {"libfixture_no_descriptor.so", {"not a Socrates agent plugin", "socrates_plugin"}},
      {"libfixture_not_a_plugin.so", {"not a shared library", "ELF"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.library);
    const std::string library = (kFixtureDir / c.library).string();
    const auto refused = host.reload("socratic", {{"library", library}});
    ASSERT_TRUE(IsApiError(refused, 422, "PLUGIN_INCOMPATIBLE"));
    const std::string message = refused.json()["error"]["message"];
    EXPECT_NE(message.find(library), std::string::npos) << message;
    for (const auto& part : c.message_parts) EXPECT_NE(message.find(part), std::string::npos) << part << " in " << message;
    EXPECT_EQ(refused.json()["error"]["details"]["agent"], "socratic") << refused.body;

    // The old generation keeps serving, unchanged, and the refused library left nothing behind.
    EXPECT_EQ(host.socratic_version(), old_version);
    const auto after = host.admin_entry("socratic");
    EXPECT_EQ(after["generation"], before["generation"]) << after.dump();
    EXPECT_EQ(after["library"], before["library"]) << after.dump();
    // The listing says why, until a reload succeeds.
    EXPECT_EQ(after["refused_reload"]["error"], message) << after.dump();
    EXPECT_TRUE(wait_until_unmapped(host.process().pid(), fs::path(c.library).stem().string() + "."))
        << read_text("/proc/" + std::to_string(host.process().pid()) + "/maps");
  }
  // Only the private copies of the three serving agents are left in the copy directory.
  std::vector<std::string> copies;
  for (const auto& entry : fs::directory_iterator(host.private_dir())) copies.push_back(entry.path().filename().string());
  EXPECT_EQ(copies.size(), 3u) << ::testing::PrintToString(copies);
  // A reload that succeeds clears the reason.
  const auto reloaded = host.reload("socratic", nlohmann::json::object());
  ASSERT_EQ(reloaded.status, 200) << describe(reloaded);
  EXPECT_TRUE(reloaded.json()["refused_reload"].is_null()) << reloaded.body;
}

TEST_F(PluginPlatformE2eTest, ReloadRefusesALibraryOfAnotherAgent) {
  PlatformHost& host = start_host();
  const std::string old_version = host.socratic_version();
  const auto before = host.admin_entry("socratic");
  const std::string library = (kFixtureDir / "libfixture_good.so").string();

  const auto refused = host.reload("socratic", {{"library", library}});
  ASSERT_TRUE(IsApiError(refused, 422, "PLUGIN_INCOMPATIBLE"));
  const std::string message = refused.json()["error"]["message"];
  EXPECT_NE(message.find("'socratic'"), std::string::npos) << message;
  EXPECT_NE(message.find("'fixture_good'"), std::string::npos) << message;
  EXPECT_NE(message.find(library), std::string::npos) << message;

  EXPECT_EQ(host.socratic_version(), old_version);
  EXPECT_EQ(host.admin_entry("socratic")["generation"], before["generation"]);
  EXPECT_TRUE(host.admin_entry("fixture_good").is_null()) << "a refused library must not be served";
  EXPECT_TRUE(wait_until_unmapped(host.process().pid(), "libfixture_good."))
      << read_text("/proc/" + std::to_string(host.process().pid()) + "/maps");
}

TEST_F(PluginPlatformE2eTest, ReloadOfAnUnknownAgentIs404) {
  PlatformHost& host = start_host();
  const auto refused = host.reload("no_such_agent", {{"library", kSocraticNext.string()}});
  ASSERT_TRUE(IsApiError(refused, 404, "UNKNOWN_AGENT"));
  EXPECT_NE(refused.json()["error"]["message"].get<std::string>().find("no_such_agent"), std::string::npos)
      << refused.body;
  EXPECT_TRUE(host.admin_entry("no_such_agent").is_null());
}

TEST_F(PluginPlatformE2eTest, ReloadIsForAdminsOnly) {
  PlatformHost& host = start_host();
  const auto before = host.admin_entry("socratic");
  EXPECT_TRUE(IsApiError(host.reload("socratic", {{"library", kSocraticNext.string()}}, host.user().access_token),
                         403, "FORBIDDEN"));
  EXPECT_TRUE(IsApiError(host.client().post("/api/v1/admin/agents/socratic/reload",
                                            {{"library", kSocraticNext.string()}}),
                         401, "UNAUTHENTICATED"));
  EXPECT_TRUE(IsApiError(host.client().get("/api/v1/admin/agents", host.user().access_token), 403, "FORBIDDEN"));
  EXPECT_NE(host.socratic_version(), kNextVersion);
  EXPECT_EQ(host.admin_entry("socratic")["generation"], before["generation"]);
}

TEST_F(PluginPlatformE2eTest, ReloadValidatesItsBody) {
  PlatformHost& host = start_host();
  EXPECT_TRUE(IsValidationError(host.reload("socratic", {{"library", 42}}), "library"));
  EXPECT_TRUE(IsValidationError(host.reload("socratic", {{"library", ""}}), "library"));
  const auto missing = host.reload("socratic", {{"library", "/nonexistent/libsocratic_agent.so"}});
  ASSERT_TRUE(IsApiError(missing, 422, "PLUGIN_INCOMPATIBLE"));
  EXPECT_NE(missing.json()["error"]["message"].get<std::string>().find("/nonexistent/libsocratic_agent.so"),
            std::string::npos)
      << missing.body;
}

// An admin token must not be enough to run any file as the host: a reload request names a library
// inside PLUGIN_DIR (links resolved), one that only the host's user or root can have written.
TEST_F(PluginPlatformE2eTest, ReloadTakesOnlyTrustworthyFilesFromPluginDir) {
  TempDir plugin_dir("socrates-e2e-plugin-dir-");
  TempDir outside("socrates-e2e-outside-");
  fs::copy_file(kSocraticNext, plugin_dir.path() / "libsocratic_next.so");
  fs::copy_file(kSocraticNext, outside.path() / "libsocratic_next.so");
  PlatformHost& host = start_host({{"PLUGIN_DIR", plugin_dir.path().string()}});
  const std::string old_version = host.socratic_version();
  const auto before = host.admin_entry("socratic");

  auto expect_refused = [&](const std::string& library, const std::string& reason) {
    SCOPED_TRACE(library);
    const auto refused = host.reload("socratic", {{"library", library}});
    ASSERT_TRUE(IsApiError(refused, 422, "PLUGIN_INCOMPATIBLE"));
    const std::string message = refused.json()["error"]["message"];
    EXPECT_NE(message.find(reason), std::string::npos) << message;
    EXPECT_EQ(refused.json()["error"]["details"]["agent"], "socratic") << refused.body;
    EXPECT_EQ(host.socratic_version(), old_version);
    EXPECT_EQ(host.admin_entry("socratic")["generation"], before["generation"]);
  };

  // Outside PLUGIN_DIR: by its path, through a link inside it, through "..".
  expect_refused((outside.path() / "libsocratic_next.so").string(), "outside PLUGIN_DIR");
  fs::create_symlink(outside.path() / "libsocratic_next.so", plugin_dir.path() / "liblink.so");
  expect_refused((plugin_dir.path() / "liblink.so").string(), "outside PLUGIN_DIR");
  expect_refused("../" + outside.path().filename().string() + "/libsocratic_next.so", "outside PLUGIN_DIR");

  // Inside, but others could have written it: the file, or its directory.
  const fs::path group_writable = plugin_dir.path() / "libgroup.so";
  fs::copy_file(kSocraticNext, group_writable);
  fs::permissions(group_writable, fs::perms(0775), fs::perm_options::replace);
  expect_refused(group_writable.string(), "writable by its group");
  const fs::path open_dir = plugin_dir.path() / "open";
  fs::create_directories(open_dir);
  fs::permissions(open_dir, fs::perms(0777), fs::perm_options::replace);
  fs::copy_file(kSocraticNext, open_dir / "libsocratic_next.so");
  expect_refused((open_dir / "libsocratic_next.so").string(), "is writable by everyone");
  if (::geteuid() == 0) {
    const fs::path theirs = plugin_dir.path() / "libtheirs.so";
    fs::copy_file(kSocraticNext, theirs);
    ASSERT_EQ(::chown(theirs.c_str(), 65534, static_cast<gid_t>(-1)), 0);
    expect_refused(theirs.string(), "belongs to");
  }

  // A good build, named relative to PLUGIN_DIR, is taken.
  const auto reloaded = host.reload("socratic", {{"library", "libsocratic_next.so"}});
  ASSERT_EQ(reloaded.status, 200) << describe(reloaded);
  EXPECT_EQ(reloaded.json()["library"], (plugin_dir.path() / "libsocratic_next.so").string());
  EXPECT_EQ(host.socratic_version(), kNextVersion);
}

// ---------------------------------------------------------------------------------------------
// An operator deploying the way STACK_NOTES.md says: write the new build elsewhere, rename it over
// the configured path, send SIGHUP.

TEST_F(PluginPlatformE2eTest, SighupReloadsAgentsFromTheirConfiguredLibraries) {
  TempDir deploy("socrates-e2e-deploy-");
  const fs::path configured = deploy.path() / "libsocratic_agent.so";
  fs::copy_file(kSocratic, configured);
  PlatformHost& host = start_host({{"PLUGINS", real_plugins(configured)}});
  const std::string old_version = host.socratic_version();
  ASSERT_NE(old_version, kNextVersion);
  const auto before = host.admin_entry("socratic");
  const auto old_copies = host.mapped("libsocratic_agent.");
  ASSERT_EQ(old_copies.size(), 1u);

  const fs::path staged = deploy.path() / ".libsocratic_agent.so.new";
  fs::copy_file(kSocraticNext, staged);
  fs::rename(staged, configured);
  ASSERT_EQ(::kill(host.process().pid(), SIGHUP), 0);

  const auto deadline = Clock::now() + std::chrono::seconds(30);
  std::string version;
  while ((version = host.socratic_version()) != kNextVersion && Clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(20));
  ASSERT_EQ(version, kNextVersion) << host.process().stderr_text();

  const auto after = host.admin_entry("socratic");
  EXPECT_GT(after["generation"].get<long long>(), before["generation"].get<long long>());
  EXPECT_EQ(after["library"], configured.string());
  EXPECT_EQ(after["version"], kNextVersion);
  EXPECT_TRUE(wait_until_unmapped(host.process().pid(), *old_copies.begin()));
  // The other agents were reloaded from their unchanged libraries and serve as before.
  EXPECT_EQ(host.client().get("/api/v1/projects", host.user().access_token).status, 200);

  // Listed in PLUGINS, the library may be named by a reload request although it is outside PLUGIN_DIR.
  const auto by_path = host.reload("socratic", {{"library", configured.string()}});
  ASSERT_EQ(by_path.status, 200) << describe(by_path);
  EXPECT_EQ(by_path.json()["library"], configured.string());
}

// Only files that nobody but the host's user or root can have written are loaded, at start-up and
// on SIGHUP alike.
TEST_F(PluginPlatformE2eTest, SighupRefusesAConfiguredLibraryThatOthersCanWrite) {
  TempDir deploy("socrates-e2e-deploy-");
  const fs::path configured = deploy.path() / "libsocratic_agent.so";
  fs::copy_file(kSocratic, configured);
  PlatformHost& host = start_host({{"PLUGINS", real_plugins(configured)}});
  const std::string old_version = host.socratic_version();
  const auto before = host.admin_entry("socratic");

  const fs::path staged = deploy.path() / ".libsocratic_agent.so.new";
  fs::copy_file(kSocraticNext, staged);
  fs::permissions(staged, fs::perms(0775), fs::perm_options::replace);
  fs::rename(staged, configured);
  ASSERT_EQ(::kill(host.process().pid(), SIGHUP), 0);

  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (host.process().stderr_text().find("reload on SIGHUP failed") == std::string::npos && Clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(20));
  const std::string log = host.process().stderr_text();
  ASSERT_NE(log.find("reload on SIGHUP failed"), std::string::npos) << log;
  EXPECT_NE(log.find("writable by its group"), std::string::npos) << log;
  EXPECT_EQ(host.socratic_version(), old_version);
  EXPECT_EQ(host.admin_entry("socratic")["generation"], before["generation"]);
}

TEST_F(PluginPlatformE2eTest, StartUpRefusesAConfiguredLibraryThatOthersCanWrite) {
  TempDir deploy("socrates-e2e-deploy-");
  const fs::path configured = deploy.path() / "libsocratic_agent.so";
  fs::copy_file(kSocratic, configured);
  fs::permissions(configured, fs::perms(0757), fs::perm_options::replace);
  TestDatabases databases;
  EnvMap env = host_environment(databases);
  env["PLUGINS"] = real_plugins(configured);
  env["PORT"] = std::to_string(pick_free_port());
  const auto result = run_command({"serve"}, env, std::chrono::seconds(30));
  EXPECT_FALSE(result.timed_out) << result.err;
  EXPECT_NE(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.err.find("a required plugin failed to load"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(configured.string()), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("writable by everyone"), std::string::npos) << result.err;
}

// ---------------------------------------------------------------------------------------------
// The proof of issue 4: a swap while 32 keep-alive connections keep the host busy.

struct LoadOutcome {
  long long requests = 0;
  long long failures = 0;
  long long answered_by_new = 0;
  long long old_after_reload = 0;  // requests sent after the reload answered, served by the old build
  long long connections = 0;       // connections opened (keep-alive: one per client unless the host closes)
  std::vector<std::string> samples;  // the first few failures, for the message
};

TEST_F(PluginPlatformE2eTest, HotSwapUnderLoadDropsNothing) {
  // The production defaults for workers and pools (sized by the cores).
  PlatformHost& host = start_host({}, {"WORKERS", "DB_POOL_SIZE_AUTH", "DB_POOL_SIZE_SPECS"});
  const std::string old_version = host.socratic_version();
  ASSERT_NE(old_version, kNextVersion);
  const auto old_copies = host.mapped("libsocratic_agent.");
  ASSERT_EQ(old_copies.size(), 1u);
  const std::string old_copy = *old_copies.begin();

  constexpr int kConnections = 32;
  // The load is measured in requests, not seconds: this many answered before the reload, and this
  // many more per client sent after it answered (so every client meets the new generation). How
  // fast the swap is, and the latency around it, is bench/swap.sh's to measure.
  constexpr long long kRequestsBefore = kConnections * 10;
  constexpr int kRequestsAfterPerClient = 5;
  constexpr auto kHangGuard = std::chrono::seconds(120);
  const std::string url = host.process().base_url() + "/api/v1/agents/socratic/describe";
  const std::string authorization = "Authorization: Bearer " + host.user().access_token;

  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::atomic<bool> stop{false};
  std::atomic<bool> reload_answered{false};  // set once the reload's 200 arrived
  std::atomic<long long> completed{0};       // requests answered (or failed), all clients
  std::atomic<int> clients_past_reload{0};   // clients with kRequestsAfterPerClient sent after it
  std::mutex outcome_mutex;
  LoadOutcome total;

  auto client = [&] {
    LoadOutcome mine;
    CURL* curl = curl_easy_init();
    std::string body;
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, authorization.c_str());
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Connection: keep-alive");
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "{}");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 2L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
                     +[](char* data, size_t size, size_t count, void* user) -> size_t {
                       static_cast<std::string*>(user)->append(data, size * count);
                       return size * count;
                     });
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    int sent_after_reload = 0;
    while (!stop.load()) {
      body.clear();
      const bool after_reload = reload_answered.load();
      const CURLcode code = curl_easy_perform(curl);
      ++mine.requests;
      ++completed;
      if (after_reload && ++sent_after_reload == kRequestsAfterPerClient) ++clients_past_reload;
      long connects = 0;
      curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
      mine.connections += connects;
      long status = 0;
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
      if (code != CURLE_OK || status != 200) {
        ++mine.failures;
        if (mine.samples.size() < 3)
          mine.samples.push_back(code != CURLE_OK ? std::string("transport: ") + curl_easy_strerror(code)
                                                  : "HTTP " + std::to_string(status) + " " + body);
        continue;
      }
      const auto json = nlohmann::json::parse(body, nullptr, false);
      const std::string version =
          json.is_object() && json.contains("result") ? json["result"].value("version", "") : std::string();
      if (version == kNextVersion) {
        ++mine.answered_by_new;
      } else if (version != old_version) {
        ++mine.failures;
        if (mine.samples.size() < 3) mine.samples.push_back("unexpected answer " + body);
      } else if (after_reload) {
        ++mine.old_after_reload;
      }
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    std::lock_guard<std::mutex> lock(outcome_mutex);
    total.requests += mine.requests;
    total.failures += mine.failures;
    total.answered_by_new += mine.answered_by_new;
    total.old_after_reload += mine.old_after_reload;
    total.connections += mine.connections;
    for (auto& s : mine.samples)
      if (total.samples.size() < 10) total.samples.push_back(std::move(s));
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < kConnections; ++i) threads.emplace_back(client);

  const bool loaded = eventually([&] { return completed.load() >= kRequestsBefore; }, kHangGuard);
  const auto reloaded = host.reload("socratic", {{"library", kSocraticNext.string()}});
  if (reloaded.status == 200) reload_answered = true;
  const bool all_met_it =
      reloaded.status == 200 && eventually([&] { return clients_past_reload.load() == kConnections; }, kHangGuard);
  stop = true;
  for (auto& t : threads) t.join();

  ASSERT_TRUE(loaded) << "the load generator hardly ran: " << completed.load() << " requests";
  ASSERT_EQ(reloaded.status, 200) << describe(reloaded);
  EXPECT_EQ(reloaded.json()["version"], kNextVersion);
  ASSERT_TRUE(all_met_it) << clients_past_reload.load() << " of " << kConnections
                          << " clients sent their requests after the reload";
  std::cout << "[ load     ] " << total.requests << " requests from " << kConnections << " keep-alive clients ("
            << total.connections << " connections opened); " << total.answered_by_new << " answered by "
            << kNextVersion << "\n";
  EXPECT_EQ(total.failures, 0) << ::testing::PrintToString(total.samples);
  EXPECT_EQ(total.connections, kConnections) << "the host closed keep-alive connections during the swap";
  EXPECT_GE(total.answered_by_new, kConnections * kRequestsAfterPerClient);
  EXPECT_EQ(total.old_after_reload, 0) << "requests sent after the reload answered must reach the new generation";
  EXPECT_EQ(host.socratic_version(), kNextVersion);

  // Drained: the old generation's library is gone from the host's mappings.
  EXPECT_TRUE(wait_until_unmapped(host.process().pid(), old_copy))
      << old_copy << " is still mapped:\n"
      << read_text("/proc/" + std::to_string(host.process().pid()) + "/maps");
  EXPECT_FALSE(fs::exists(old_copy));
  const auto entry = host.admin_entry("socratic");
  EXPECT_GE(entry["stats"]["requests"].get<long long>(), total.requests) << entry.dump();
  EXPECT_EQ(entry["stats"]["errors"].get<long long>(), 0) << entry.dump();
}

// ---------------------------------------------------------------------------------------------
// Start-up: a factory that throws.

TEST_F(PluginPlatformE2eTest, AFactoryThatThrowsStopsStartUpWhenTheAgentIsRequired) {
  TestDatabases databases;
  EnvMap env = host_environment(databases);
  env["PLUGINS"] = real_plugins() + "," + (kFixtureDir / "libfixture_factory_throws.so").string();
  env["PORT"] = std::to_string(pick_free_port());
  const auto result = run_command({"serve"}, env, std::chrono::seconds(30));
  EXPECT_FALSE(result.timed_out) << result.err;
  EXPECT_NE(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.err.find("a required plugin failed to load"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("libfixture_factory_throws.so"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("fixture_factory_throws: the constructor gave up"), std::string::npos) << result.err;
}

TEST_F(PluginPlatformE2eTest, AFactoryThatThrowsIsReportedFailedWhenTheAgentIsOptional) {
  PlatformHost& host =
      start_host({{"PLUGINS", real_plugins() + ",optional:" + (kFixtureDir / "libfixture_factory_throws.so").string()}});
  const auto health = host.client().get("/api/v1/admin/health");
  ASSERT_EQ(health.status, 503) << describe(health);
  EXPECT_EQ(health.json()["status"], "degraded");
  std::set<std::string> ok;
  std::vector<nlohmann::json> failed;
  const auto body = health.json();
  for (const auto& agent : body["agents"]) {
    if (agent["status"] == "ok") ok.insert(agent["id"].get<std::string>());
    if (agent["status"] == "failed") failed.push_back(agent);
  }
  EXPECT_EQ(ok, (std::set<std::string>{"project_manager", "socratic", "context"})) << health.body;
  ASSERT_EQ(failed.size(), 1u) << health.body;
  // The public answer names the agent that failed, not its file nor why (that is for admins).
  EXPECT_EQ(failed[0], nlohmann::json({{"id", "libfixture_factory_throws"}, {"status", "failed"}})) << health.body;
  EXPECT_EQ(health.body.find(kFixtureDir.string()), std::string::npos) << health.body;
  EXPECT_EQ(health.body.find("the constructor gave up"), std::string::npos) << health.body;

  const auto agents = host.client().get("/api/v1/admin/agents", host.admin().access_token);
  ASSERT_EQ(agents.status, 200) << describe(agents);
  const auto listed = agents.json();
  ASSERT_EQ(listed["failed"].size(), 1u) << agents.body;
  EXPECT_EQ(listed["failed"][0]["id"], "libfixture_factory_throws");
  EXPECT_EQ(listed["failed"][0]["library"], (kFixtureDir / "libfixture_factory_throws.so").string());
  const std::string error = listed["failed"][0]["error"];
  EXPECT_NE(error.find("fixture_factory_throws: the constructor gave up"), std::string::npos) << error;
  EXPECT_NE(host.process().stderr_text().find("the constructor gave up"), std::string::npos)
      << "the reason must be in the log";
  // The agents that did load serve as usual.
  EXPECT_EQ(host.socratic_version().rfind("HTTP", 0), std::string::npos);
  EXPECT_TRUE(host.admin_entry("fixture_factory_throws").is_null());
}

}  // namespace
}  // namespace socrates::test::e2e
