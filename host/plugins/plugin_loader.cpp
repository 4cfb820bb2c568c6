#include "host/plugins/plugin_loader.hpp"

#include <socrates/sdk/plugin.hpp>
#include <socrates/sdk/version.hpp>

#include <boost/dll/shared_library.hpp>

#include <dlfcn.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <system_error>
#include <utility>

namespace socrates::host {
namespace {

namespace fs = std::filesystem;

// One private copy of a plugin: mapped for as long as any object made by its code exists, and
// deleted from disk together with the mapping so that copies do not pile up.
class PrivateLibrary {
 public:
  explicit PrivateLibrary(fs::path copy) : copy_(std::move(copy)) {}
  PrivateLibrary(const PrivateLibrary&) = delete;
  PrivateLibrary& operator=(const PrivateLibrary&) = delete;
  ~PrivateLibrary() {
    library_.unload();
    std::error_code ignored;
    fs::remove(copy_, ignored);
  }

  const fs::path& path() const noexcept { return copy_; }
  boost::dll::shared_library& library() noexcept { return library_; }

 private:
  fs::path copy_;
  boost::dll::shared_library library_;
};

// Deleting the agent runs the plugin's destructor, so the library is released only afterwards.
// It is released here rather than left to the control block, because a weak_ptr to the agent would
// keep the control block (and with it a mapped library and its file) alive indefinitely.
struct AgentDeleter {
  std::shared_ptr<PrivateLibrary> library;
  void operator()(sdk::BaseAgent* agent) noexcept {
    delete agent;
    library.reset();
  }
};

std::string quoted(const fs::path& path) { return "\"" + path.string() + "\""; }

std::string version_text(int major, int minor) { return std::to_string(major) + "." + std::to_string(minor); }

const std::string& host_sdk() {
  static const std::string text = version_text(SOCRATES_SDK_VERSION_MAJOR, SOCRATES_SDK_VERSION_MINOR);
  return text;
}

std::string hex32(std::uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%08X", static_cast<unsigned>(value));
  return buffer;
}

// Strings in a descriptor belong to the plugin; a null pointer there is a damaged descriptor,
// not a crash.
std::string text_or(const char* text, const char* fallback) { return text ? std::string(text) : std::string(fallback); }

// The id routes requests (/agents/{id}/...), so it has to be a plain lower_snake_case word.
bool is_agent_id(const std::string& id) {
  if (id.empty() || id.size() > 64 || !(id[0] >= 'a' && id[0] <= 'z')) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

bool has_elf_header(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 4> magic{};
  if (!in.read(magic.data(), magic.size())) return false;
  return magic[0] == 0x7F && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

// dlopen caches handles by path, so every load needs a path of its own; the process id keeps
// several hosts sharing a copy directory apart, the counter keeps loads in this process apart.
fs::path copy_library(const fs::path& library, const fs::path& copy_dir) {
  static std::atomic<std::uint64_t> counter{0};

  std::error_code ec;
  if (fs::create_directories(copy_dir, ec)) {
    // Whoever can write here can swap the copy between copying and dlopen and run code in the host.
    fs::permissions(copy_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  } else if (ec) {
    throw PluginError("cannot load plugin " + quoted(library) + ": cannot create the plugin copy directory " +
                      quoted(copy_dir) + ": " + ec.message() + " — make it writable or configure another one");
  }

  const std::string stem = library.stem().string();
  const std::string pid = std::to_string(::getpid());
  for (;;) {
    const fs::path copy = copy_dir / (stem + "." + pid + "." + std::to_string(++counter) + ".so");
    // Never overwrite: a leftover of a crashed process with a recycled pid may still be mapped by
    // someone, and overwriting a mapped library crashes its process.
    if (fs::copy_file(library, copy, fs::copy_options::none, ec)) return copy;
    if (ec == std::errc::file_exists) continue;
    throw PluginError("cannot load plugin " + quoted(library) + ": cannot copy it to " + quoted(copy) + ": " +
                      ec.message() + " — check that the copy directory is writable and not full");
  }
}

void check_source(const fs::path& library) {
  std::error_code ec;
  const fs::file_status status = fs::status(library, ec);
  if (!fs::exists(status))
    throw PluginError("cannot load plugin " + quoted(library) + ": no such file — check the plugin directory");
  if (!fs::is_regular_file(status))
    throw PluginError("cannot load plugin " + quoted(library) + ": not a regular file");
}

void open_copy(const fs::path& library, PrivateLibrary& copy) {
  if (!has_elf_header(copy.path()))
    throw PluginError("cannot load plugin " + quoted(library) +
                      ": it is not a shared library (no ELF header) — a plugin is the .so file that "
                      "socrates_add_agent builds");

  std::error_code ec;
  copy.library().load(copy.path(), boost::dll::load_mode::rtld_local | boost::dll::load_mode::rtld_now, ec);
  if (!ec && copy.library().is_loaded()) return;
  // dlerror() is per thread and Boost.DLL leaves the failing dlopen's message in place.
  const char* reason = ::dlerror();
  throw PluginError("cannot load plugin " + quoted(library) + ": the dynamic loader refused it (" +
                    (reason ? std::string(reason) : ec.message()) +
                    ") — check that it was built for this platform and that the libraries it needs are installed");
}

const void* alias_target(boost::dll::shared_library& library, const char* name) {
  if (!library.has(name)) return nullptr;
  return library.get<const void*>(name);
}

// Reads and checks the descriptor before a single function of the plugin has been called: until
// the compiler and standard library are known to match, only the plain C fields may be touched.
PluginInfo check_descriptor(const fs::path& library, boost::dll::shared_library& loaded) {
  const auto* descriptor = static_cast<const sdk::PluginDescriptor*>(alias_target(loaded, sdk::kDescriptorSymbol));
  if (!descriptor)
    throw PluginError(quoted(library) + " is not a Socrates agent plugin: it exports no " +
                      sdk::kDescriptorSymbol + " — declare the agent with SOCRATES_DECLARE_AGENT");

  const std::string prefix = "cannot load plugin " + quoted(library) + ": ";
  if (descriptor->magic != sdk::kDescriptorMagic)
    throw PluginError(prefix + "its " + sdk::kDescriptorSymbol + " is not a Socrates plugin descriptor (magic " +
                      hex32(descriptor->magic) + ", expected " + hex32(sdk::kDescriptorMagic) +
                      ") — declare the agent with SOCRATES_DECLARE_AGENT instead of defining the symbol by hand");

  constexpr std::size_t kVersionedSize = offsetof(sdk::PluginDescriptor, sdk_minor) + sizeof(std::int32_t);
  if (descriptor->size < kVersionedSize)
    throw PluginError(prefix + "its plugin descriptor is truncated (" + std::to_string(descriptor->size) +
                      " bytes, not even an SDK version) — rebuild the plugin against SocratesSDK " +
                      std::to_string(SOCRATES_SDK_VERSION_MAJOR) + ".x");

  const std::string plugin_sdk = version_text(descriptor->sdk_major, descriptor->sdk_minor);
  if (descriptor->sdk_major != SOCRATES_SDK_VERSION_MAJOR)
    throw PluginError(prefix + "SDK version mismatch: host SDK " + host_sdk() + ", plugin built for SDK " +
                      plugin_sdk + " — rebuild the plugin against SocratesSDK " +
                      std::to_string(SOCRATES_SDK_VERSION_MAJOR) + ".x");
  if (descriptor->sdk_minor > SOCRATES_SDK_VERSION_MINOR)
    throw PluginError(prefix + "SDK version mismatch: host SDK " + host_sdk() + ", plugin built for SDK " +
                      plugin_sdk + ", which is newer — rebuild the plugin against SocratesSDK " + host_sdk() +
                      " or upgrade the host");

  // Fields are only appended, so every plugin of this major has at least the first release's fields.
  if (descriptor->size < sizeof(sdk::PluginDescriptor))
    throw PluginError(prefix + "its plugin descriptor is truncated (" + std::to_string(descriptor->size) +
                      " bytes, SDK " + host_sdk() + " descriptors have at least " +
                      std::to_string(sizeof(sdk::PluginDescriptor)) +
                      ") — declare the agent with SOCRATES_DECLARE_AGENT and rebuild it");

  const std::string compiler = text_or(descriptor->compiler, "(none)");
  if (compiler != SOCRATES_SDK_COMPILER_ID)
    throw PluginError(prefix + "compiler mismatch: host built with \"" SOCRATES_SDK_COMPILER_ID
                               "\", plugin built with \"" +
                      compiler +
                      "\" — C++ objects cross the plugin boundary, so rebuild the plugin "
                      "with " SOCRATES_SDK_COMPILER_ID);
  const std::string stdlib = text_or(descriptor->stdlib, "(none)");
  if (stdlib != SOCRATES_SDK_STDLIB_ID)
    throw PluginError(prefix + "C++ standard library mismatch: host uses \"" SOCRATES_SDK_STDLIB_ID
                               "\", plugin uses \"" +
                      stdlib +
                      "\" — C++ objects cross the plugin boundary, so rebuild the plugin "
                      "against " SOCRATES_SDK_STDLIB_ID);

  PluginInfo info;
  info.agent_id = text_or(descriptor->agent_id, "");
  info.agent_name = text_or(descriptor->agent_name, "");
  info.agent_version = text_or(descriptor->agent_version, "");
  info.sdk_major = descriptor->sdk_major;
  info.sdk_minor = descriptor->sdk_minor;
  info.compiler = compiler;
  info.stdlib = stdlib;
  if (!is_agent_id(info.agent_id))
    throw PluginError(prefix + "its agent id \"" + info.agent_id +
                      "\" is not a lower_snake_case word (a-z, 0-9, _; at most 64 characters) — it is the "
                      "agent's name in request paths, so pick one that is");
  return info;
}

sdk::AgentFactory find_factory(const fs::path& library, boost::dll::shared_library& loaded, const PluginInfo& info) {
  const void* target = alias_target(loaded, sdk::kFactorySymbol);
  if (!target)
    throw PluginError("cannot load plugin " + quoted(library) + ": it declares agent '" + info.agent_id +
                      "' but exports no " + sdk::kFactorySymbol +
                      " — declare the agent with SOCRATES_DECLARE_AGENT");
  // BOOST_DLL_ALIAS stored the function's address through intptr_t; undo it the same way.
  return reinterpret_cast<sdk::AgentFactory>(reinterpret_cast<std::intptr_t>(target));
}

}  // namespace

PluginLoader::PluginLoader(std::filesystem::path copy_dir) : copy_dir_(std::move(copy_dir)) {}

PluginLoader::~PluginLoader() {
  // Removes the copy directory when nothing is left in it (fs::remove refuses a non-empty one), so
  // a host that stops leaves no trace; agents still alive keep their copies, and so the directory.
  std::error_code ignored;
  fs::remove(copy_dir_, ignored);
}

LoadedPlugin PluginLoader::load(const std::filesystem::path& library) const {
  check_source(library);
  // From here on the copy exists; whatever goes wrong, the PrivateLibrary removes it.
  auto copy = std::make_shared<PrivateLibrary>(copy_library(library, copy_dir_));
  open_copy(library, *copy);

  LoadedPlugin plugin;
  plugin.info = check_descriptor(library, copy->library());
  const sdk::AgentFactory factory = find_factory(library, copy->library(), plugin.info);

  std::string error;
  sdk::BaseAgent* raw = factory(&error);
  if (!raw)
    throw PluginError("cannot load plugin " + quoted(library) + ": agent '" + plugin.info.agent_id +
                      "' could not be created: " + (error.empty() ? "its factory gave no reason" : error));
  plugin.agent = std::shared_ptr<sdk::BaseAgent>(raw, AgentDeleter{copy});

  if (plugin.agent->id() != plugin.info.agent_id)
    throw PluginError("cannot load plugin " + quoted(library) + ": its descriptor declares agent '" +
                      plugin.info.agent_id + "', but the agent it created calls itself '" + plugin.agent->id() +
                      "' — construct the agent from the AgentInfo that SOCRATES_DECLARE_AGENT passes in");

  plugin.library = library;
  plugin.loaded_from = copy->path();
  plugin.loaded_at = std::chrono::system_clock::now();
  return plugin;
}

}  // namespace socrates::host
