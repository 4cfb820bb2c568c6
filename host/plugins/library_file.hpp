#pragma once
// The rules a plugin library's file must meet before the host copies it, so that loading it runs
// only code that the host's own user (or root) put there:
//  - the file is a regular file owned by the host's user or root, not writable by group or others;
//  - its directory is owned by the host's user or root and not writable by group or others (else
//    anyone who can write there could rename another file over it);
//  - every directory above it is owned by the host's user or root and not writable by group or
//    others, unless it is sticky like /tmp (where nobody can rename what is not theirs);
//  - when the library was named at run time (a reload request), its canonical path, symbolic
//    links resolved, lies inside PLUGIN_DIR.
// The checks end with the file open: the loader copies from that descriptor, so the file that was
// checked is the file that is loaded, whatever happens to the path meanwhile.

#include <filesystem>
#include <optional>
#include <string>

namespace socrates::host {

class LibraryFile {
 public:
  // Opens `library` after the checks above (`inside`: the directory a run-time path must be in).
  // Throws PluginError whose message names the library, the rule it breaks and the fix.
  static LibraryFile open(const std::filesystem::path& library,
                          const std::optional<std::filesystem::path>& inside = std::nullopt);

  ~LibraryFile();
  LibraryFile(LibraryFile&& other) noexcept;
  LibraryFile& operator=(LibraryFile&&) = delete;
  LibraryFile(const LibraryFile&) = delete;
  LibraryFile& operator=(const LibraryFile&) = delete;

  int fd() const noexcept { return fd_; }
  // The path with every symbolic link resolved (what was checked and opened).
  const std::filesystem::path& canonical() const noexcept { return canonical_; }

 private:
  LibraryFile(int fd, std::filesystem::path canonical) : fd_(fd), canonical_(std::move(canonical)) {}
  int fd_ = -1;
  std::filesystem::path canonical_;
};

// Whether `path` is `dir` itself or lies below it, comparing whole components (both are taken as
// given: pass canonical paths).
bool is_inside(const std::filesystem::path& path, const std::filesystem::path& dir);

}  // namespace socrates::host
