#pragma once
// Shared helpers of the engine tests: the shipped data, and throwaway data directories for the
// tests that break a file on purpose.

#include <socrates/engine/engine.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <unistd.h>

namespace socrates::engine::test_support {

// The engine over libs/engine/data, loaded once per test binary (loading is what the start-up does).
inline const Engine& shipped() {
  static const Engine engine = Engine::load(SOCRATES_ENGINE_DATA_DIR);
  return engine;
}

inline nlohmann::json shipped_json(const std::string& file) {
  std::ifstream in(std::string(SOCRATES_ENGINE_DATA_DIR) + "/" + file);
  return nlohmann::json::parse(in);
}

// A fresh directory under the system's temporary directory, removed with the object.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("socrates_engine_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  void write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name, std::ios::binary) << content;
  }
  void write(const std::string& name, const nlohmann::json& document) const { write(name, document.dump(2)); }

  // The shipped files, for a test to break one of them.
  void copy_shipped() const {
    for (const char* name : {kTaxonomyFile, kQuestionBankFile, kLexiconFile, kRequirementTemplatesFile, kClarityRulesFile,
                             kDomainRolesFile})
      write(name, shipped_json(name));
  }

 private:
  std::filesystem::path path_;
};

inline Specification spec(std::string category, std::string key, std::string value, double confidence) {
  return Specification{std::move(category), std::move(key), std::move(value), confidence};
}

}  // namespace socrates::engine::test_support
