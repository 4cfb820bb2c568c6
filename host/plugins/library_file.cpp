#include "host/plugins/library_file.hpp"

#include "host/plugins/plugin_loader.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <vector>

namespace socrates::host {
namespace {

namespace fs = std::filesystem;

std::string quoted(const fs::path& path) { return "\"" + path.string() + "\""; }

std::string user_name(uid_t uid) {
  std::vector<char> buffer(4096);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found)
    return std::string(found->pw_name) + " (uid " + std::to_string(uid) + ")";
  return "uid " + std::to_string(uid);
}

std::string mode_text(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

bool trusted_owner(uid_t uid) { return uid == 0 || uid == ::geteuid(); }

constexpr mode_t kWritableByOthers = S_IWGRP | S_IWOTH;

// The plugin's own directory, then every one above it.
void check_directories(const fs::path& library, const fs::path& canonical) {
  const std::string prefix = "cannot load plugin " + quoted(library) + ": ";
  bool own_directory = true;
  for (fs::path dir = canonical.parent_path();; dir = dir.parent_path()) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0)
      throw PluginError(prefix + "cannot inspect its directory " + quoted(dir) + ": " + std::strerror(errno));
    if (!trusted_owner(st.st_uid))
      throw PluginError(prefix + "the directory " + quoted(dir) + " belongs to " + user_name(st.st_uid) +
                        ", not to the host's user " + user_name(::geteuid()) +
                        " or root, so its owner could swap the library — keep plugins in a directory of the "
                        "host's user or root");
    const bool sticky = (st.st_mode & S_ISVTX) != 0;
    if ((st.st_mode & kWritableByOthers) && (own_directory || !sticky))
      throw PluginError(prefix + "the directory " + quoted(dir) + " is writable by " +
                        ((st.st_mode & S_IWOTH) ? "everyone" : "its group") + " (mode " + mode_text(st.st_mode) +
                        "), so others could swap the library — `chmod go-w " + dir.string() + "`");
    own_directory = false;
    if (dir == dir.root_path() || dir.empty()) break;
  }
}

}  // namespace

bool is_inside(const fs::path& path, const fs::path& dir) {
  auto p = path.begin();
  for (auto d = dir.begin(); d != dir.end(); ++d, ++p) {
    if (d->empty()) continue;  // a trailing separator ("/plugins/") adds an empty last component
    if (p == path.end() || *p != *d) return false;
  }
  return true;
}

LibraryFile LibraryFile::open(const fs::path& library, const std::optional<fs::path>& inside) {
  const std::string prefix = "cannot load plugin " + quoted(library) + ": ";
  std::error_code ec;
  const fs::path canonical = fs::canonical(library, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory)
      throw PluginError(prefix + "no such file — check the plugin directory");
    throw PluginError(prefix + ec.message());
  }

  if (inside) {
    const fs::path dir = fs::canonical(*inside, ec);
    if (ec)
      throw PluginError(prefix + "PLUGIN_DIR " + quoted(*inside) + " cannot be resolved (" + ec.message() +
                        ") — set PLUGIN_DIR to the directory that holds the agent libraries");
    if (!is_inside(canonical, dir))
      throw PluginError(prefix + "it " + (canonical == library ? std::string("is") : "resolves to " + quoted(canonical) + ", which is") +
                        " outside PLUGIN_DIR " + quoted(dir) +
                        " — a library named in a reload request must be inside PLUGIN_DIR (or be listed in "
                        "PLUGINS): put the build there");
  }

  check_directories(library, canonical);

  // O_NOFOLLOW: the canonical path has no link left, so a link here was put there since; O_NONBLOCK:
  // opening a FIFO must not hang the host (it is refused below as not a regular file).
  const int fd = ::open(canonical.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) throw PluginError(prefix + "cannot open it: " + std::strerror(errno));
  LibraryFile file(fd, canonical);

  struct stat st {};
  if (::fstat(fd, &st) != 0) throw PluginError(prefix + "cannot inspect it: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw PluginError(prefix + "not a regular file");
  if (!trusted_owner(st.st_uid))
    throw PluginError(prefix + "it belongs to " + user_name(st.st_uid) + ", not to the host's user " +
                      user_name(::geteuid()) + " or root — `chown` it to one of them");
  if (st.st_mode & kWritableByOthers)
    throw PluginError(prefix + "it is writable by " + ((st.st_mode & S_IWOTH) ? "everyone" : "its group") +
                      " (mode " + mode_text(st.st_mode) + "), so others could change it — `chmod go-w " +
                      canonical.string() + "`");
  return file;
}

LibraryFile::LibraryFile(LibraryFile&& other) noexcept : fd_(other.fd_), canonical_(std::move(other.canonical_)) {
  other.fd_ = -1;
}

LibraryFile::~LibraryFile() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace socrates::host
