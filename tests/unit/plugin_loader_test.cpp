#include "host/plugins/plugin_loader.hpp"
#include "support/fixture_plugins.hpp"

#include <socrates/sdk/services.hpp>
#include <socrates/sdk/testing.hpp>
#include <socrates/sdk/version.hpp>

#include <gtest/gtest.h>

#include <link.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace socrates::host {
namespace {

namespace fs = std::filesystem;

using test::fixture;
using test::is_mapped;

using sdk::testing::FakeServices;

sdk::Request request(std::string action, nlohmann::json params = nlohmann::json::object()) {
  sdk::Request r;
  r.action = std::move(action);
  r.params = std::move(params);
  r.caller.user_id = "0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11";
  r.caller.role = "user";
  r.caller.request_id = "req-1";
  return r;
}


class PluginLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    copy_dir_ = fs::temp_directory_path() /
                ("socrates_loader_test." + std::to_string(::getpid()) + "." + test->name());
    fs::remove_all(copy_dir_);
  }
  void TearDown() override { fs::remove_all(copy_dir_); }

  // The private copies, in whichever private directory a loader made inside copy_dir_.
  std::vector<fs::path> copies() const {
    std::vector<fs::path> found;
    if (fs::exists(copy_dir_))
      for (const auto& entry : fs::recursive_directory_iterator(copy_dir_))
        if (entry.is_regular_file()) found.push_back(entry.path());
    return found;
  }

  // Loads `name`, expects a PluginError, and returns its message; a refusal must leave no copy behind.
  std::string refusal(const std::string& name) {
    PluginLoader loader(copy_dir_);
    try {
      loader.load(fixture(name));
    } catch (const PluginError& e) {
      EXPECT_TRUE(copies().empty()) << "a refused plugin left its private copy behind";
      return e.what();
    }
    ADD_FAILURE() << "loading " << name << " did not throw PluginError";
    return {};
  }

  fs::path copy_dir_;
  FakeServices services_;
};

TEST_F(PluginLoaderTest, LoadsGoodFixtureAndCallsItsActions) {
  PluginLoader loader(copy_dir_);
  LoadedPlugin plugin = loader.load(fixture("fixture_good"));

  ASSERT_TRUE(plugin.agent);
  EXPECT_EQ(plugin.info.agent_id, "fixture_good");
  EXPECT_EQ(plugin.info.agent_name, "Fixture: good");
  EXPECT_EQ(plugin.info.agent_version, "1.0.0");
  EXPECT_EQ(plugin.info.abi_version(),
            std::to_string(SOCRATES_ABI_VERSION_MAJOR) + "." + std::to_string(SOCRATES_ABI_VERSION_MINOR));
  EXPECT_EQ(plugin.info.built_with, SOCRATES_SDK_BUILT_WITH);
  EXPECT_EQ(plugin.library, fixture("fixture_good"));
  EXPECT_EQ(plugin.loaded_from.parent_path(), loader.private_dir());
  EXPECT_EQ(loader.private_dir().parent_path(), copy_dir_);
  EXPECT_NE(plugin.loaded_from, plugin.library);
  EXPECT_TRUE(fs::exists(plugin.loaded_from));
  EXPECT_TRUE(is_mapped(plugin.loaded_from));
  EXPECT_FALSE(is_mapped(plugin.library)) << "the host must map only its private copy";
  EXPECT_EQ(plugin.agent->id(), "fixture_good");
  EXPECT_EQ(plugin.agent->capabilities(), (std::vector<std::string>{"echo", "whoami"}));

  const nlohmann::json params = {{"text", "hello"}, {"n", 3}};
  sdk::Result echo = plugin.agent->handle(request("echo", params), services_);
  ASSERT_TRUE(echo.is_ok());
  EXPECT_EQ(echo.value(), params);

  sdk::Result whoami = plugin.agent->handle(request("whoami"), services_);
  ASSERT_TRUE(whoami.is_ok());
  EXPECT_EQ(whoami.value(), "0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11");
}

TEST_F(PluginLoaderTest, ThrowingActionAnswersAgentErrorAndTheAgentKeepsWorking) {
  PluginLoader loader(copy_dir_);
  LoadedPlugin plugin = loader.load(fixture("fixture_throwing"));

  sdk::Result boom = plugin.agent->handle(request("boom"), services_);
  ASSERT_FALSE(boom.is_ok());
  EXPECT_EQ(boom.error().code, sdk::errc::kAgentError);
  EXPECT_EQ(boom.error().details.value("action", ""), "boom");
  EXPECT_EQ(boom.error().message.find("fixture_throwing: boom"), std::string::npos)
      << "the exception's text is for the log, not for the client";
  const auto lines = services_.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("fixture_throwing: boom"), std::string::npos);

  for (int i = 0; i < 3; ++i) {
    sdk::Result ok = plugin.agent->handle(request("ok"), services_);
    ASSERT_TRUE(ok.is_ok());
    EXPECT_EQ(ok.value(), (nlohmann::json{{"ok", true}}));
    EXPECT_FALSE(plugin.agent->handle(request("boom"), services_).is_ok());
  }
}

TEST_F(PluginLoaderTest, UnknownActionAnswersUnsupportedActionWithCapabilities) {
  PluginLoader loader(copy_dir_);
  LoadedPlugin plugin = loader.load(fixture("fixture_good"));

  sdk::Result result = plugin.agent->handle(request("fly"), services_);
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.error().code, sdk::errc::kUnsupportedAction);
  EXPECT_EQ(result.error().details.at("available_capabilities"), (nlohmann::json{"echo", "whoami"}));
  EXPECT_EQ(result.error().details.value("action", ""), "fly");
}

TEST_F(PluginLoaderTest, RefusesLibraryWithoutDescriptor) {
  const std::string message = refusal("fixture_no_descriptor");
  EXPECT_NE(message.find(fixture("fixture_no_descriptor").string()), std::string::npos) << message;
  EXPECT_NE(message.find("is not a Socrates agent plugin"), std::string::npos) << message;
  EXPECT_NE(message.find("socrates_plugin"), std::string::npos) << message;
  EXPECT_NE(message.find("SOCRATES_DECLARE_AGENT"), std::string::npos) << message;
}

const std::string kHostAbi = std::to_string(SOCRATES_ABI_VERSION_MAJOR) + "." + std::to_string(SOCRATES_ABI_VERSION_MINOR);

TEST_F(PluginLoaderTest, RefusesPluginBuiltForAnotherAbiMajorWithoutCallingIt) {
  const std::string message = refusal("fixture_future_abi");
  EXPECT_NE(message.find(fixture("fixture_future_abi").string()), std::string::npos) << message;
  EXPECT_NE(message.find("host ABI " + kHostAbi), std::string::npos) << message;
  EXPECT_NE(message.find("plugin built for ABI 3." + std::to_string(SOCRATES_ABI_VERSION_MINOR)), std::string::npos)
      << message;
  EXPECT_NE(message.find("the major version must be the same"), std::string::npos) << message;
  EXPECT_NE(message.find("rebuild the plugin against SocratesSDK " + kHostAbi), std::string::npos) << message;
}

TEST_F(PluginLoaderTest, RefusesPluginBuiltForANewerAbiMinor) {
  const std::string message = refusal("fixture_newer_minor");
  EXPECT_NE(message.find(fixture("fixture_newer_minor").string()), std::string::npos) << message;
  EXPECT_NE(message.find("plugin built for ABI " + std::to_string(SOCRATES_ABI_VERSION_MAJOR) + ".99, which is newer"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("upgrade the host"), std::string::npos) << message;
}

TEST_F(PluginLoaderTest, RefusesAPluginOfSdk1WhoseBoundaryWasCpp) {
  const std::string message = refusal("fixture_sdk1");
  EXPECT_NE(message.find(fixture("fixture_sdk1").string()), std::string::npos) << message;
  EXPECT_NE(message.find("built for SDK 1.x"), std::string::npos) << message;
  EXPECT_NE(message.find("rebuild the plugin against SocratesSDK " + kHostAbi), std::string::npos) << message;
}

TEST_F(PluginLoaderTest, RefusesDescriptorWithWrongMagic) {
  const std::string message = refusal("fixture_bad_magic");
  EXPECT_NE(message.find(fixture("fixture_bad_magic").string()), std::string::npos) << message;
  EXPECT_NE(message.find("0x12345678"), std::string::npos) << message;
  EXPECT_NE(message.find("0x534F4352"), std::string::npos) << message;
}

TEST_F(PluginLoaderTest, RefusesPluginWithoutEntryPoints) {
  const std::string message = refusal("fixture_no_api");
  EXPECT_NE(message.find(fixture("fixture_no_api").string()), std::string::npos) << message;
  EXPECT_NE(message.find("no complete table of entry points"), std::string::npos) << message;
}

TEST_F(PluginLoaderTest, RefusesFileThatIsNotASharedLibrary) {
  const std::string message = refusal("fixture_not_a_plugin");
  EXPECT_NE(message.find(fixture("fixture_not_a_plugin").string()), std::string::npos) << message;
  EXPECT_NE(message.find("not a shared library"), std::string::npos) << message;
}

TEST_F(PluginLoaderTest, RefusesMissingFile) {
  const std::string message = refusal("fixture_does_not_exist");
  EXPECT_NE(message.find(fixture("fixture_does_not_exist").string()), std::string::npos) << message;
  EXPECT_NE(message.find("no such file"), std::string::npos) << message;
}

TEST_F(PluginLoaderTest, ReportsTheFactoryErrorWhenTheAgentCannotBeCreated) {
  const std::string message = refusal("fixture_factory_throws");
  EXPECT_NE(message.find(fixture("fixture_factory_throws").string()), std::string::npos) << message;
  EXPECT_NE(message.find("fixture_factory_throws: the constructor gave up"), std::string::npos) << message;
}

// ABI 2.3: the migrations a plugin declares are copied out of its library, in its order.
TEST_F(PluginLoaderTest, ReadsTheMigrationsOfTheDescriptor) {
  PluginLoader loader(copy_dir_);
  const LoadedPlugin plugin = loader.load(fixture("fixture_ledger_2"));
  ASSERT_EQ(plugin.info.migrations.size(), 2u);
  EXPECT_EQ(plugin.info.migrations[0].name, "001_notes");
  EXPECT_EQ(plugin.info.migrations[0].sql, "CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL)");
  EXPECT_EQ(plugin.info.migrations[1].name, "002_notes_author");
  EXPECT_TRUE(loader.load(fixture("fixture_good")).info.migrations.empty());
}

TEST_F(PluginLoaderTest, RefusesMigrationsDeclaredTwice) {
  const std::string message = refusal("fixture_ledger_5");
  EXPECT_NE(message.find(fixture("fixture_ledger_5").string()), std::string::npos) << message;
  EXPECT_NE(message.find("\"001_notes\" twice"), std::string::npos) << message;
}

TEST_F(PluginLoaderTest, RefusesAgentWhoseIdDiffersFromItsDescriptor) {
  const std::string message = refusal("fixture_wrong_id");
  EXPECT_NE(message.find(fixture("fixture_wrong_id").string()), std::string::npos) << message;
  EXPECT_NE(message.find("'fixture_wrong_id'"), std::string::npos) << message;
  EXPECT_NE(message.find("'someone_else'"), std::string::npos) << message;
}

TEST_F(PluginLoaderTest, ReleasingTheAgentUnmapsTheLibraryAndRemovesThePrivateCopy) {
  PluginLoader loader(copy_dir_);
  LoadedPlugin plugin = loader.load(fixture("fixture_good"));
  const fs::path copy = plugin.loaded_from;
  ASSERT_TRUE(fs::exists(copy));
  ASSERT_TRUE(is_mapped(copy));

  std::shared_ptr<PluginAgent> second_owner = plugin.agent;
  plugin.agent.reset();
  EXPECT_TRUE(fs::exists(copy)) << "released while another owner still holds the agent";
  EXPECT_TRUE(second_owner->handle(request("echo", {{"still", "here"}}), services_).is_ok());

  second_owner.reset();
  EXPECT_FALSE(fs::exists(copy));
  EXPECT_FALSE(is_mapped(copy)) << "the library is still mapped after its agent was destroyed";
  EXPECT_TRUE(copies().empty());
  EXPECT_TRUE(fs::exists(plugin.library)) << "the operator's file must never be touched";
}

TEST_F(PluginLoaderTest, AWeakPointerDoesNotKeepTheLibraryLoaded) {
  PluginLoader loader(copy_dir_);
  LoadedPlugin plugin = loader.load(fixture("fixture_good"));
  const fs::path copy = plugin.loaded_from;
  std::weak_ptr<PluginAgent> watcher = plugin.agent;

  plugin.agent.reset();
  EXPECT_TRUE(watcher.expired());
  EXPECT_FALSE(fs::exists(copy));
  EXPECT_FALSE(is_mapped(copy));
}

TEST_F(PluginLoaderTest, AgentOutlivesItsLoader) {
  std::shared_ptr<PluginAgent> agent;
  {
    PluginLoader loader(copy_dir_);
    agent = loader.load(fixture("fixture_good")).agent;
  }
  sdk::Result echo = agent->handle(request("echo", {{"a", 1}}), services_);
  ASSERT_TRUE(echo.is_ok());
  EXPECT_EQ(echo.value(), (nlohmann::json{{"a", 1}}));
}

TEST_F(PluginLoaderTest, TwoLoadsOfTheSameLibraryGiveIndependentAgents) {
  PluginLoader loader(copy_dir_);
  LoadedPlugin first = loader.load(fixture("fixture_counter"));
  LoadedPlugin second = loader.load(fixture("fixture_counter"));

  EXPECT_NE(first.loaded_from, second.loaded_from);
  EXPECT_NE(first.agent.get(), second.agent.get());
  EXPECT_TRUE(is_mapped(first.loaded_from));
  EXPECT_TRUE(is_mapped(second.loaded_from));

  // Each copy has its own statics; with STB_GNU_UNIQUE symbols the second would count on from 2.
  EXPECT_EQ(first.agent->handle(request("count"), services_).value(), 1);
  EXPECT_EQ(first.agent->handle(request("count"), services_).value(), 2);
  EXPECT_EQ(second.agent->handle(request("count"), services_).value(), 1);

  const fs::path first_copy = first.loaded_from;
  first.agent.reset();
  EXPECT_FALSE(fs::exists(first_copy));
  EXPECT_FALSE(is_mapped(first_copy));
  EXPECT_EQ(second.agent->handle(request("count"), services_).value(), 2);

  // A fresh copy starts from scratch, which it would not if the first copy had stayed loaded.
  LoadedPlugin third = loader.load(fixture("fixture_counter"));
  EXPECT_EQ(third.agent->handle(request("count"), services_).value(), 1);
}

TEST_F(PluginLoaderTest, LoadsTheDuplicateFixtureSinceDuplicateIdsAreTheRegistrysBusiness) {
  PluginLoader loader(copy_dir_);
  LoadedPlugin good = loader.load(fixture("fixture_good"));
  LoadedPlugin duplicate = loader.load(fixture("fixture_duplicate"));
  EXPECT_EQ(good.info.agent_id, "fixture_good");
  EXPECT_EQ(duplicate.info.agent_id, "fixture_good");
  EXPECT_EQ(duplicate.info.agent_version, "2.0.0");
  EXPECT_EQ(duplicate.agent->capabilities(), (std::vector<std::string>{"echo"}));
}

TEST_F(PluginLoaderTest, ConcurrentLoadsAreIndependentAndCleanUp) {
  PluginLoader loader(copy_dir_);
  constexpr int kThreads = 4;
  constexpr int kLoadsPerThread = 3;
  std::mutex mutex;
  std::set<fs::path> copies_seen;
  std::vector<std::string> failures;

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLoadsPerThread; ++i) {
        try {
          LoadedPlugin plugin = loader.load(fixture(i % 2 ? "fixture_counter" : "fixture_good"));
          const nlohmann::json params = {{"thread", t}, {"load", i}};
          sdk::Result result = plugin.agent->handle(request(i % 2 ? "count" : "echo", params), services_);
          std::lock_guard<std::mutex> lock(mutex);
          copies_seen.insert(plugin.loaded_from);
          if (!result.is_ok()) failures.push_back("action failed: " + result.error().message);
          else if (i % 2 && result.value() != 1) failures.push_back("counter shared between copies");
          else if (!(i % 2) && result.value() != params) failures.push_back("echo answered another request");
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(mutex);
          failures.push_back(e.what());
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_TRUE(failures.empty()) << failures.front();
  EXPECT_EQ(copies_seen.size(), static_cast<std::size_t>(kThreads * kLoadsPerThread));
  EXPECT_TRUE(copies().empty());
  for (const auto& copy : copies_seen) EXPECT_FALSE(is_mapped(copy)) << copy;
}

TEST_F(PluginLoaderTest, MakesAPrivateCopyDirectoryWithARandomNameAndRemovesItAfterwards) {
  const fs::path nested = copy_dir_ / "a" / "b";
  fs::path first_dir;
  {
    PluginLoader loader(nested);
    EXPECT_TRUE(loader.private_dir().empty()) << "made before it was needed";
    PluginLoader other(nested);
    LoadedPlugin plugin = loader.load(fixture("fixture_good"));
    LoadedPlugin again = other.load(fixture("fixture_good"));
    first_dir = loader.private_dir();
    EXPECT_EQ(plugin.loaded_from.parent_path(), first_dir);
    EXPECT_EQ(first_dir.parent_path(), nested);
    EXPECT_EQ(first_dir.filename().string().rfind("plugins-", 0), 0u) << first_dir;
    EXPECT_NE(other.private_dir(), first_dir) << "two loaders must not share a directory";
    EXPECT_EQ(fs::status(first_dir).permissions(), fs::perms::owner_all);
    EXPECT_EQ(fs::status(nested).permissions() & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
    // The copy itself is read-only, even for the host.
    EXPECT_EQ(fs::status(plugin.loaded_from).permissions() & fs::perms::owner_write, fs::perms::none);
  }
  EXPECT_FALSE(fs::exists(first_dir)) << "the private directory outlived its loader";
  EXPECT_TRUE(fs::is_empty(nested));
}

// dlopen is given /proc/self/fd/N of the copy the loader wrote, not a path someone could swap.
TEST_F(PluginLoaderTest, LoadsTheCopyThroughItsDescriptor) {
  auto objects_by_descriptor = [] {
    int count = 0;
    ::dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* data) {
          if (info->dlpi_name && std::string(info->dlpi_name).rfind("/proc/self/fd/", 0) == 0) ++*static_cast<int*>(data);
          return 0;
        },
        &count);
    return count;
  };
  const int before = objects_by_descriptor();
  PluginLoader loader(copy_dir_);
  LoadedPlugin plugin = loader.load(fixture("fixture_counter"));
  EXPECT_EQ(objects_by_descriptor(), before + 1);
  EXPECT_TRUE(is_mapped(plugin.loaded_from)) << "the mapping names the private copy";
  plugin.agent.reset();
  EXPECT_EQ(objects_by_descriptor(), before);
}

TEST_F(PluginLoaderTest, AppliesTheFileRulesBeforeCopying) {
  const fs::path dir = copy_dir_ / "source";
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
  const fs::path library = dir / "libfixture_good.so";
  fs::copy_file(fixture("fixture_good"), library);
  fs::permissions(library, fs::perms(0775), fs::perm_options::replace);
  PluginLoader loader(copy_dir_ / "copies");
  try {
    loader.load(library);
    ADD_FAILURE() << "a group-writable library was loaded";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("writable by its group"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(loader.private_dir().empty()) << "nothing is copied for a refused library";

  fs::permissions(library, fs::perms(0755), fs::perm_options::replace);
  try {
    loader.load(library, fixture("fixture_good").parent_path());
    ADD_FAILURE() << "a library outside the required directory was loaded";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("outside PLUGIN_DIR"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(loader.load(library, dir));
}

std::string run(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return output;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  ::pclose(pipe);
  return output;
}

// A library with an STB_GNU_UNIQUE symbol is never unloaded and shares its statics with later copies.
TEST_F(PluginLoaderTest, FixturePluginsHaveNoGnuUniqueSymbols) {
  if (std::system("command -v readelf >/dev/null 2>&1") != 0) GTEST_SKIP() << "readelf is not installed";
  for (const char* name : {"fixture_good", "fixture_counter", "fixture_throwing", "fixture_c", "fixture_libcxx"}) {
    const std::string symbols = run("readelf -W --dyn-syms '" + fixture(name).string() + "' 2>&1");
    ASSERT_NE(symbols.find("socrates_plugin"), std::string::npos) << name << ":\n" << symbols;
    EXPECT_EQ(symbols.find("UNIQUE"), std::string::npos) << name << ":\n" << symbols;
    // The descriptor is all a plugin exports (socrates_plugin.exports): no WEAK definitions that
    // another library could bind to and so keep the plugin loaded.
    std::istringstream lines(symbols);
    for (std::string line; std::getline(lines, line);)
      EXPECT_FALSE(line.find(" WEAK ") != std::string::npos && line.find(" UND ") == std::string::npos)
          << name << " exports " << line;
  }
}

}  // namespace
}  // namespace socrates::host
