// The file rules a plugin library must meet before the host copies and loads it
// (host/plugins/library_file.hpp): owner, modes of the file and of its directories, and, for a
// library named at run time, a canonical path inside PLUGIN_DIR.
#include "host/plugins/library_file.hpp"

#include "host/plugins/plugin_loader.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace socrates::host {
namespace {

namespace fs = std::filesystem;

// A directory of the test's own (mkdtemp: mode 0700), removed with everything in it.
class Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "socrates-library-file-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~Scratch() {
    std::error_code ignored;
    fs::permissions(path_, fs::perms::owner_all, ignored);
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

fs::path make_dir(const fs::path& dir, fs::perms perms = fs::perms::owner_all) {
  fs::create_directories(dir);
  fs::permissions(dir, perms, fs::perm_options::replace);
  return dir;
}

fs::path make_file(const fs::path& path, fs::perms perms = fs::perms(0755)) {
  std::ofstream(path) << "\x7F" "ELF not really";
  fs::permissions(path, perms, fs::perm_options::replace);
  return path;
}

// The PluginError message of opening `library`, or "" when it was accepted.
std::string refusal(const fs::path& library, const std::optional<fs::path>& inside = std::nullopt) {
  try {
    LibraryFile::open(library, inside);
    return "";
  } catch (const PluginError& e) {
    return e.what();
  }
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class LibraryFileTest : public ::testing::Test {
 protected:
  Scratch scratch_;
  fs::path plugins_ = make_dir(scratch_.path() / "plugins");
};

TEST_F(LibraryFileTest, AcceptsAFileOfTheHostsUserInAPrivateDirectoryAndKeepsItOpen) {
  const fs::path library = make_file(plugins_ / "libgood.so");
  const LibraryFile file = LibraryFile::open(library, plugins_);
  EXPECT_GE(file.fd(), 0);
  EXPECT_EQ(file.canonical(), fs::canonical(library));
  struct stat st {};
  ASSERT_EQ(::fstat(file.fd(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(LibraryFileTest, RefusesAGroupWritableFile) {
  const fs::path library = make_file(plugins_ / "libgroup.so", fs::perms(0775));
  const std::string message = refusal(library);
  EXPECT_TRUE(contains(message, "writable by its group")) << message;
  EXPECT_TRUE(contains(message, "0775")) << message;
  EXPECT_TRUE(contains(message, "chmod go-w")) << message;
  EXPECT_TRUE(contains(message, library.string())) << message;
}

TEST_F(LibraryFileTest, RefusesAWorldWritableFile) {
  const std::string message = refusal(make_file(plugins_ / "libworld.so", fs::perms(0646)));
  EXPECT_TRUE(contains(message, "writable by everyone")) << message;
}

TEST_F(LibraryFileTest, RefusesAFileInAGroupWritableDirectory) {
  const fs::path dir = make_dir(plugins_ / "shared", fs::perms(0775));
  const std::string message = refusal(make_file(dir / "libx.so"));
  EXPECT_TRUE(contains(message, "the directory \"" + dir.string() + "\" is writable by its group")) << message;
}

TEST_F(LibraryFileTest, RefusesAFileInAStickyWorldWritableDirectory) {
  // Sticky or not, whoever can write the plugin's own directory can add a library there.
  const fs::path dir = make_dir(plugins_ / "drop", fs::perms(01777));
  const std::string message = refusal(make_file(dir / "libx.so"));
  EXPECT_TRUE(contains(message, "writable by everyone")) << message;
}

TEST_F(LibraryFileTest, AcceptsAStickyWorldWritableDirectoryAboveButNotAPlainOne) {
  // Like /tmp: others cannot rename what is not theirs out of a sticky directory.
  const fs::path sticky = make_dir(scratch_.path() / "sticky", fs::perms(01777));
  const fs::path inner = make_dir(sticky / "mine");
  EXPECT_EQ(refusal(make_file(inner / "libx.so")), "");

  const fs::path open = make_dir(scratch_.path() / "open", fs::perms(0777));
  const fs::path below = make_dir(open / "mine");
  const std::string message = refusal(make_file(below / "libx.so"));
  EXPECT_TRUE(contains(message, "the directory \"" + open.string() + "\" is writable by everyone")) << message;
}

TEST_F(LibraryFileTest, RefusesAFileOrDirectoryOfAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root can give a file to another user";
  constexpr uid_t kNobody = 65534;
  const fs::path library = make_file(plugins_ / "libtheirs.so");
  ASSERT_EQ(::chown(library.c_str(), kNobody, static_cast<gid_t>(-1)), 0);
  std::string message = refusal(library);
  EXPECT_TRUE(contains(message, "it belongs to")) << message;
  EXPECT_TRUE(contains(message, "uid 65534")) << message;
  EXPECT_TRUE(contains(message, "chown")) << message;

  const fs::path dir = make_dir(plugins_ / "theirs");
  const fs::path inside = make_file(dir / "libx.so");
  ASSERT_EQ(::chown(dir.c_str(), kNobody, static_cast<gid_t>(-1)), 0);
  message = refusal(inside);
  EXPECT_TRUE(contains(message, "the directory \"" + dir.string() + "\" belongs to")) << message;
}

TEST_F(LibraryFileTest, RefusesAPathOutsideTheRequiredDirectory) {
  const fs::path elsewhere = make_dir(scratch_.path() / "elsewhere");
  const fs::path library = make_file(elsewhere / "libx.so");
  const std::string message = refusal(library, plugins_);
  EXPECT_TRUE(contains(message, "outside PLUGIN_DIR \"" + fs::canonical(plugins_).string() + "\"")) << message;
  // Without the requirement (a library listed in PLUGINS) the same file is fine.
  EXPECT_EQ(refusal(library), "");
}

TEST_F(LibraryFileTest, RefusesASymbolicLinkThatLeavesTheRequiredDirectory) {
  const fs::path elsewhere = make_dir(scratch_.path() / "elsewhere");
  const fs::path target = make_file(elsewhere / "libx.so");
  fs::create_symlink(target, plugins_ / "libx.so");
  const std::string message = refusal(plugins_ / "libx.so", plugins_);
  EXPECT_TRUE(contains(message, "resolves to \"" + fs::canonical(target).string() + "\"")) << message;
  EXPECT_TRUE(contains(message, "outside PLUGIN_DIR")) << message;
}

TEST_F(LibraryFileTest, RefusesDotDotOutOfTheRequiredDirectory) {
  make_dir(scratch_.path() / "elsewhere");
  make_file(scratch_.path() / "elsewhere" / "libx.so");
  const std::string message = refusal(plugins_ / ".." / "elsewhere" / "libx.so", plugins_);
  EXPECT_TRUE(contains(message, "outside PLUGIN_DIR")) << message;
}

TEST_F(LibraryFileTest, AcceptsASymbolicLinkThatStaysInsideTheRequiredDirectory) {
  const fs::path target = make_file(plugins_ / "libx.so.1.2");
  fs::create_symlink("libx.so.1.2", plugins_ / "libx.so");
  const LibraryFile file = LibraryFile::open(plugins_ / "libx.so", plugins_);
  EXPECT_EQ(file.canonical(), fs::canonical(target));
}

TEST_F(LibraryFileTest, RefusesWhatIsNotAFile) {
  EXPECT_TRUE(contains(refusal(plugins_ / "libmissing.so"), "no such file"));
  const fs::path dir = make_dir(plugins_ / "libdir.so");
  EXPECT_TRUE(contains(refusal(dir), "not a regular file"));
  const fs::path fifo = plugins_ / "libfifo.so";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_TRUE(contains(refusal(fifo), "not a regular file")) << "opening a FIFO must not hang either";
}

TEST(IsInsideTest, ComparesWholeComponents) {
  EXPECT_TRUE(is_inside("/srv/plugins/liba.so", "/srv/plugins"));
  EXPECT_TRUE(is_inside("/srv/plugins/sub/liba.so", "/srv/plugins/"));
  EXPECT_TRUE(is_inside("/srv/plugins", "/srv/plugins"));
  EXPECT_FALSE(is_inside("/srv/plugins-evil/liba.so", "/srv/plugins"));
  EXPECT_FALSE(is_inside("/srv/liba.so", "/srv/plugins"));
  EXPECT_TRUE(is_inside("/anything", "/"));
}

}  // namespace
}  // namespace socrates::host
