#pragma once
// The test plugins of tests/fixtures/plugins by name, and whether a library is mapped into this
// process (a reload or unload that leaves the old copy mapped is caught with it).
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace socrates::test {

inline std::filesystem::path fixture(const std::string& name) {
  return std::filesystem::path(SOCRATES_FIXTURE_DIR) / ("lib" + name + ".so");
}

inline bool is_mapped(const std::filesystem::path& path) {
  std::ifstream in("/proc/self/maps");
  const std::string maps((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return maps.find(path.string()) != std::string::npos;
}

}  // namespace socrates::test
