#include "host/plugins/plugin_loader.hpp"

#include <socrates/abi.h>
#include <socrates/sdk/detail/abi_bytes.hpp>

#include "host/db/migrator.hpp"
#include "host/plugins/library_file.hpp"

#include <boost/dll/shared_library.hpp>

#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <system_error>
#include <utility>
#include <vector>

namespace socrates::host {
namespace {

namespace fs = std::filesystem;

// One private copy of a plugin: mapped for as long as any object made by its code exists, and
// deleted from disk together with the mapping so that copies do not pile up. It keeps the copy's
// descriptor open while the library is mapped: the library was opened as /proc/self/fd/N, and the
// dynamic loader knows it by that name, so N must not be handed to another copy meanwhile.
class PrivateLibrary {
 public:
  PrivateLibrary(fs::path copy, int fd) : copy_(std::move(copy)), fd_(fd) {}
  PrivateLibrary(const PrivateLibrary&) = delete;
  PrivateLibrary& operator=(const PrivateLibrary&) = delete;
  ~PrivateLibrary() {
    library_.unload();
    if (fd_ >= 0) ::close(fd_);
    std::error_code ignored;
    fs::remove(copy_, ignored);
  }

  const fs::path& path() const noexcept { return copy_; }
  int fd() const noexcept { return fd_; }
  void replace_fd(int fd) noexcept {
    ::close(fd_);
    fd_ = fd;
  }
  boost::dll::shared_library& library() noexcept { return library_; }

 private:
  fs::path copy_;
  int fd_;
  boost::dll::shared_library library_;
};

std::string quoted(const fs::path& path) { return "\"" + path.string() + "\""; }

std::string version_text(int major, int minor) { return std::to_string(major) + "." + std::to_string(minor); }

const std::string& host_abi() {
  static const std::string text = version_text(SOCRATES_ABI_VERSION_MAJOR, SOCRATES_ABI_VERSION_MINOR);
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

bool has_elf_header(int fd) {
  std::array<char, 4> magic{};
  if (::pread(fd, magic.data(), magic.size(), 0) != static_cast<ssize_t>(magic.size())) return false;
  return magic[0] == 0x7F && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) throw std::system_error(errno ? errno : EIO, std::generic_category());
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

// Copies the checked file (its open descriptor, not its path) to a new file of the private
// directory: created there by this call (O_EXCL), never through a link (O_NOFOLLOW).
std::shared_ptr<PrivateLibrary> copy_library(const fs::path& library, const LibraryFile& source, int dir_fd,
                                             const fs::path& dir) {
  static std::atomic<std::uint64_t> counter{0};
  const std::string stem = library.stem().string();
  for (;;) {
    const std::string name = stem + "." + std::to_string(++counter) + ".so";
    const int fd = ::openat(dir_fd, name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0500);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0)
      throw PluginError("cannot load plugin " + quoted(library) + ": cannot create its copy in " + quoted(dir) +
                        ": " + std::strerror(errno) + " — check that the copy directory is writable and not full");
    // From here on the copy exists; whatever goes wrong, the PrivateLibrary removes it.
    auto copy = std::make_shared<PrivateLibrary>(dir / name, fd);
    try {
      std::vector<char> buffer(64 * 1024);
      for (off_t offset = 0;;) {
        const ssize_t n = ::pread(source.fd(), buffer.data(), buffer.size(), offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::system_error(errno, std::generic_category());
        if (n == 0) break;
        write_all(fd, buffer.data(), static_cast<std::size_t>(n));
        offset += n;
      }
    } catch (const std::system_error& e) {
      throw PluginError("cannot load plugin " + quoted(library) + ": cannot copy it to " + quoted(copy->path()) +
                        ": " + e.code().message() + " — check that the copy directory is writable and not full");
    }
    return copy;
  }
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// Whether the dynamic loader holds an object by this name: dlopen looks a name up among the loaded
// objects before it opens anything, and would hand that object back.
bool loader_knows(const std::string& name) {
  struct Search {
    const char* name;
    bool found;
  } search{name.c_str(), false};
  ::dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        auto* s = static_cast<Search*>(data);
        if (info->dlpi_name && std::strcmp(info->dlpi_name, s->name) == 0) s->found = true;
        return s->found ? 1 : 0;
      },
      &search);
  return search.found;
}

// Loads the copy through its descriptor, so the file mapped is the one this process wrote, even if
// its directory entry were replaced meanwhile. Note that dlopen runs the library's static
// initialisers: from here on, the library's own code may have run (see plugin_loader.hpp).
void open_copy(const fs::path& library, PrivateLibrary& copy) {
  if (!has_elf_header(copy.fd()))
    throw PluginError("cannot load plugin " + quoted(library) +
                      ": it is not a shared library (no ELF header) — a plugin is the .so file that "
                      "socrates_add_agent builds");

  // A library that stayed resident after its copy was released (marked NODELETE) keeps the name
  // /proc/self/fd/N it was opened by; a descriptor number no loaded object is named after avoids it.
  while (loader_knows(fd_path(copy.fd()))) {
    const int other = ::fcntl(copy.fd(), F_DUPFD_CLOEXEC, copy.fd() + 1);
    if (other < 0)
      throw PluginError("cannot load plugin " + quoted(library) + ": cannot duplicate a descriptor: " +
                        std::strerror(errno));
    copy.replace_fd(other);
  }

  std::error_code ec;
  copy.library().load(fd_path(copy.fd()), boost::dll::load_mode::rtld_local | boost::dll::load_mode::rtld_now, ec);
  if (!ec && copy.library().is_loaded()) return;
  // dlerror() is per thread and Boost.DLL leaves the failing dlopen's message in place.
  const char* reason = ::dlerror();
  throw PluginError("cannot load plugin " + quoted(library) + ": the dynamic loader refused it (" +
                    (reason ? std::string(reason) : ec.message()) +
                    ") — check that it was built for this platform and that the libraries it needs are installed");
}

// A migration's name: a plain word, since it is the ledger's key and appears in messages.
bool is_migration_name(const char* name) {
  std::size_t length = 0;
  for (; name[length] != '\0'; ++length) {
    const char c = name[length];
    if (length >= 128 || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                           c == '.' || c == '-'))
      return false;
  }
  return length > 0;
}

// The plugin's migrations (ABI 2.3), copied out of its library and checked.
std::vector<MigrationFile> migrations_of(const socrates_plugin_descriptor& descriptor, const std::string& prefix) {
  constexpr std::size_t kMaxMigrations = 10000;
  const std::string fix = " — declare them with SOCRATES_DECLARE_AGENT_WITH_MIGRATIONS (docs/plugins.md, \"Migrations\")";
  if (descriptor.migration_count == 0) return {};
  if (!descriptor.migrations || descriptor.migration_count > kMaxMigrations)
    throw PluginError(prefix + "its descriptor declares " + std::to_string(descriptor.migration_count) +
                      " migrations but " + (descriptor.migrations ? "at most 10000 are taken" : "no array of them") +
                      fix);
  std::vector<MigrationFile> migrations;
  std::set<std::string> names;
  for (std::size_t i = 0; i < descriptor.migration_count; ++i) {
    const socrates_migration& migration = descriptor.migrations[i];
    if (!migration.name || !is_migration_name(migration.name))
      throw PluginError(prefix + "its migration #" + std::to_string(i + 1) + " has " +
                        (migration.name ? "the name \"" + std::string(migration.name) + "\", which is not" : "no name,") +
                        " 1 to 128 characters of A-Z, a-z, 0-9, _, . and -" + fix);
    if (!migration.sql)
      throw PluginError(prefix + "its migration \"" + std::string(migration.name) + "\" has no SQL" + fix);
    if (!names.insert(migration.name).second)
      throw PluginError(prefix + "it declares the migration \"" + std::string(migration.name) + "\" twice" + fix);
    migrations.push_back(MigrationFile{migration.name, migration.sql, ""});
  }
  return migrations;
}

// The descriptor of the first ABI minor: every plugin of this major has at least its fields.
constexpr std::size_t kFirstDescriptorSize = offsetof(socrates_plugin_descriptor, api) + sizeof(const void*);
// The entry points of the first ABI minor, which every plugin of this major has.
constexpr std::size_t kFirstApiSize = offsetof(socrates_plugin_api, handle) + sizeof(void*);

// Reads and checks the descriptor before the host calls a single function of the plugin: only its
// ABI version decides (compiler and standard library are the plugin's business, since only C types
// cross). The library's static initialisers have run already, inside dlopen; this check cannot
// prevent that.
PluginInfo check_descriptor(const fs::path& library, boost::dll::shared_library& loaded,
                            const socrates_plugin_api** api) {
  const std::string prefix = "cannot load plugin " + quoted(library) + ": ";
  const std::string rebuild = "rebuild the plugin against SocratesSDK " + host_abi();
  if (!loaded.has(SOCRATES_DESCRIPTOR_SYMBOL)) {
    // What SDK 1.x plugins exported: their boundary was C++ objects, which this host no longer takes.
    if (loaded.has("socrates_agent_descriptor"))
      throw PluginError(prefix + "it was built for SDK 1.x, whose plugins exchanged C++ objects with the host; "
                        "this host speaks the plugin ABI " + host_abi() + " (only C types cross) — " + rebuild +
                        " (its source needs no change)");
    throw PluginError(quoted(library) + " is not a Socrates agent plugin: it exports no " SOCRATES_DESCRIPTOR_SYMBOL
                      " — declare the agent with SOCRATES_DECLARE_AGENT, or define the descriptor of "
                      "<socrates/abi.h> in C");
  }
  const auto& descriptor = loaded.get<const socrates_plugin_descriptor>(SOCRATES_DESCRIPTOR_SYMBOL);
  if (descriptor.magic != SOCRATES_ABI_MAGIC)
    throw PluginError(prefix + "its " SOCRATES_DESCRIPTOR_SYMBOL " is not a Socrates plugin descriptor (magic " +
                      hex32(descriptor.magic) + ", expected " + hex32(SOCRATES_ABI_MAGIC) +
                      ") — declare the agent with SOCRATES_DECLARE_AGENT, or start the descriptor with "
                      "SOCRATES_ABI_MAGIC");

  constexpr std::size_t kVersionedSize = offsetof(socrates_plugin_descriptor, abi_minor) + sizeof(std::int32_t);
  if (descriptor.size < kVersionedSize)
    throw PluginError(prefix + "its plugin descriptor is truncated (" + std::to_string(descriptor.size) +
                      " bytes, not even an ABI version) — " + rebuild);

  const std::string plugin_abi = version_text(descriptor.abi_major, descriptor.abi_minor);
  if (descriptor.abi_major != SOCRATES_ABI_VERSION_MAJOR)
    throw PluginError(prefix + "ABI version mismatch: host ABI " + host_abi() + ", plugin built for ABI " +
                      plugin_abi + " (the major version must be the same) — " + rebuild);
  if (descriptor.abi_minor > SOCRATES_ABI_VERSION_MINOR)
    throw PluginError(prefix + "ABI version mismatch: host ABI " + host_abi() + ", plugin built for ABI " +
                      plugin_abi + ", which is newer — " + rebuild + " (or with SOCRATES_ABI_TARGET_MINOR=" +
                      std::to_string(SOCRATES_ABI_VERSION_MINOR) + "), or upgrade the host");
  if (descriptor.abi_minor < 0)
    throw PluginError(prefix + "its plugin descriptor declares ABI " + plugin_abi + ", which does not exist — " +
                      rebuild);

  // Fields are only appended, so every plugin of this major has at least the first minor's fields.
  if (descriptor.size < kFirstDescriptorSize)
    throw PluginError(prefix + "its plugin descriptor is truncated (" + std::to_string(descriptor.size) +
                      " bytes, ABI " + std::to_string(SOCRATES_ABI_VERSION_MAJOR) + ".x descriptors have at least " +
                      std::to_string(kFirstDescriptorSize) + ") — " + rebuild);
  const socrates_plugin_api* entry = descriptor.api;
  if (!entry || entry->size < kFirstApiSize || !entry->create || !entry->destroy || !entry->describe ||
      !entry->start || !entry->handle)
    throw PluginError(prefix + "its plugin descriptor has no complete table of entry points (create, destroy, "
                      "describe, start, handle) — declare the agent with SOCRATES_DECLARE_AGENT, or fill "
                      "socrates_plugin_api as <socrates/abi.h> says");

  PluginInfo info;
  info.agent_id = text_or(descriptor.agent_id, "");
  info.agent_name = text_or(descriptor.agent_name, "");
  info.agent_version = text_or(descriptor.agent_version, "");
  info.abi_major = descriptor.abi_major;
  info.abi_minor = descriptor.abi_minor;
  if (SOCRATES_ABI_HAS(&descriptor, socrates_plugin_descriptor, built_with))
    info.built_with = text_or(descriptor.built_with, "");
  if (SOCRATES_ABI_HAS(&descriptor, socrates_plugin_descriptor, deadline_ms)) info.deadline_ms = descriptor.deadline_ms;
  if (!is_agent_id(info.agent_id))
    throw PluginError(prefix + "its agent id \"" + info.agent_id +
                      "\" is not a lower_snake_case word (a-z, 0-9, _; at most 64 characters) — it is the "
                      "agent's name in request paths, so pick one that is");
  if (SOCRATES_ABI_HAS(&descriptor, socrates_plugin_descriptor, migration_count))
    info.migrations = migrations_of(descriptor, prefix);
  if (!info.migrations.empty())
    if (auto problem = agent_schema_problem(info.agent_id)) throw PluginError(prefix + *problem);
  *api = entry;
  return info;
}

}  // namespace

PluginLoader::PluginLoader(std::filesystem::path copy_parent) : copy_parent_(std::move(copy_parent)) {}

PluginLoader::~PluginLoader() {
  // fs::remove refuses a non-empty directory: agents still alive keep their copies, and so the
  // directory; otherwise a host that stops leaves no trace.
  std::lock_guard<std::mutex> lock(mutex_);
  if (private_dir_fd_ >= 0) ::close(private_dir_fd_);
  std::error_code ignored;
  if (!private_dir_.empty()) fs::remove(private_dir_, ignored);
}

fs::path PluginLoader::private_dir() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return private_dir_;
}

int PluginLoader::private_dir_fd() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (private_dir_fd_ >= 0) return private_dir_fd_;
  const std::string fix = " — make it writable, or set PLUGIN_COPY_DIR to a directory of the host's user";
  std::error_code ec;
  if (fs::create_directories(copy_parent_, ec))
    fs::permissions(copy_parent_, fs::perms::owner_all, fs::perm_options::replace, ec);
  else if (ec)
    throw PluginError("cannot create the plugin copy directory " + quoted(copy_parent_) + ": " + ec.message() + fix);
  // mkdtemp: a new directory with a name nobody can guess, mode 0700.
  std::string pattern = (copy_parent_ / "plugins-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw PluginError("cannot create a private directory in " + quoted(copy_parent_) + ": " + std::strerror(errno) +
                      fix);
  const int fd = ::open(pattern.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    const int saved = errno;
    ::rmdir(pattern.c_str());
    throw PluginError("cannot open the private directory " + quoted(fs::path(pattern)) + ": " + std::strerror(saved) + fix);
  }
  private_dir_ = pattern;
  private_dir_fd_ = fd;
  return fd;
}

LoadedPlugin PluginLoader::load(const std::filesystem::path& library,
                                const std::optional<std::filesystem::path>& inside) const {
  const LibraryFile source = LibraryFile::open(library, inside);
  int dir_fd = -1;
  try {
    dir_fd = private_dir_fd();
  } catch (const PluginError& e) {
    throw PluginError("cannot load plugin " + quoted(library) + ": " + e.what());
  }
  auto copy = copy_library(library, source, dir_fd, private_dir());
  open_copy(library, *copy);

  LoadedPlugin plugin;
  const socrates_plugin_api* api = nullptr;
  plugin.info = check_descriptor(library, copy->library(), &api);

  const std::string prefix = "cannot load plugin " + quoted(library) + ": ";
  sdk::detail::abi::OwnedBuffer error;
  socrates_agent* agent = api->create(error.get());
  if (!agent)
    throw PluginError(prefix + "agent '" + plugin.info.agent_id + "' could not be created: " +
                      (error.text().empty() ? std::string("its factory gave no reason") : std::string(error.text())));
  try {
    // The agent owns the library from here: it is released (and the copy removed) after the agent.
    plugin.agent = std::make_shared<PluginAgent>(plugin.info.agent_id, api, agent, copy);
  } catch (const std::exception& e) {
    throw PluginError(prefix + e.what());
  }

  plugin.library = library;
  plugin.loaded_from = copy->path();
  plugin.loaded_at = std::chrono::system_clock::now();
  return plugin;
}

}  // namespace socrates::host
