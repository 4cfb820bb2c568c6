#include "host/rest/static_files.hpp"

#include <socrates/sdk/error.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <system_error>

namespace socrates::host::rest {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxNameLength = 255;

bool allowed_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength || name.front() == '.') return false;
  for (unsigned char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return name.find("..") == std::string::npos;
}

// A file as served: its content and the ETag of that content, kept while size and time stay.
struct CachedFile {
  std::uintmax_t size = 0;
  fs::file_time_type modified;
  std::shared_ptr<const std::string> content;
  std::string etag;
};

std::string etag_of(const std::string& content) {
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a, 64 bits
  for (unsigned char c : content) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char text[40];
  std::snprintf(text, sizeof text, "\"%016llx-%zx\"", static_cast<unsigned long long>(hash), content.size());
  return text;
}

// The file's content and ETag, read once and again only when its size or modification time
// changed. Nothing when it cannot be read.
std::optional<CachedFile> load(const fs::path& file) {
  static std::mutex mutex;
  static std::map<fs::path, CachedFile> cache;
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) return std::nullopt;
  const auto modified = fs::last_write_time(file, ec);
  if (ec) return std::nullopt;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(file);
    if (it != cache.end() && it->second.size == size && it->second.modified == modified) return it->second;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return std::nullopt;
  CachedFile loaded{size, modified, std::make_shared<const std::string>(buffer.str()), ""};
  loaded.etag = etag_of(*loaded.content);
  std::lock_guard<std::mutex> lock(mutex);
  cache[file] = loaded;
  return loaded;
}

bool etag_matches(const std::string& if_none_match, const std::string& etag) {
  if (if_none_match.find('*') != std::string::npos) return true;
  // A list of tags, possibly weak (W/"..."): weak comparison, as If-None-Match asks.
  std::size_t at = 0;
  while ((at = if_none_match.find('"', at)) != std::string::npos) {
    const auto end = if_none_match.find('"', at + 1);
    if (end == std::string::npos) break;
    if (if_none_match.compare(at, end - at + 1, etag) == 0) return true;
    at = end + 1;
  }
  return false;
}

HttpResponse not_found(const HttpRequest& request) {
  HttpResponse response = HttpResponse::error(sdk::errc::kNotFound, "no such file: " + request.path, request.request_id);
  if (request.method == "HEAD") response.body.clear();
  return response;
}

}  // namespace

std::optional<std::string> static_content_type(const std::string& name) {
  static const std::map<std::string, std::string> kTypes = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"ico", "image/x-icon"},
      {"txt", "text/plain; charset=utf-8"},
  };
  const auto dot = name.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  auto it = kTypes.find(name.substr(dot + 1));
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

std::optional<fs::path> resolve_static_file(const fs::path& directory, const std::string& name) {
  if (!allowed_name(name) || !static_content_type(name)) return std::nullopt;
  std::error_code ec;
  const fs::path root = fs::canonical(directory, ec);
  if (ec) return std::nullopt;
  const fs::path file = fs::canonical(root / name, ec);
  if (ec || !fs::is_regular_file(file, ec) || ec) return std::nullopt;
  // Inside the directory itself (the names are flat): a symlink to elsewhere is refused.
  if (file.parent_path() != root) return std::nullopt;
  return file;
}

HttpResponse serve_static_file(const HttpRequest& request, const fs::path& directory, const std::string& name,
                               const ExtraHeaders& extra) {
  const auto file = resolve_static_file(directory, name);
  if (!file) return not_found(request);
  const auto loaded = load(*file);
  if (!loaded) return not_found(request);

  HttpResponse response;
  response.headers = extra;
  response.headers.emplace_back("ETag", loaded->etag);
  response.headers.emplace_back("Cache-Control", "no-cache");
  if (etag_matches(request.header("if-none-match").value_or(""), loaded->etag)) {
    response.status = 304;
    response.content_type.clear();
    return response;
  }
  response.status = 200;
  response.content_type = *static_content_type(name);
  // The transport sends no body for HEAD (Pistache then writes Content-Length 0); the copy is spared.
  if (request.method != "HEAD") response.body = *loaded->content;
  return response;
}

void add_static_routes(Router& router, const std::string& url_prefix, fs::path directory, ExtraHeaders extra) {
  const std::string pattern = (url_prefix == "/" ? "" : url_prefix) + "/{file}";
  auto handler = [directory = std::move(directory), extra = std::move(extra)](HttpRequest& request) {
    return serve_static_file(request, directory, request.path_param("file"), extra);
  };
  router.add("GET", pattern, handler);
  router.add("HEAD", pattern, handler);
}

void add_static_file(Router& router, const std::string& url, fs::path directory, std::string name,
                     ExtraHeaders extra) {
  auto handler = [directory = std::move(directory), name = std::move(name),
                  extra = std::move(extra)](HttpRequest& request) {
    return serve_static_file(request, directory, name, extra);
  };
  router.add("GET", url, handler);
  router.add("HEAD", url, handler);
}

void add_web_routes(Router& router, const fs::path& web_dir) {
  // The client's scripts, styles and images are its own files; it talks only to this host.
  const ExtraHeaders headers = {
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'"},
      {"Referrer-Policy", "no-referrer"}};
  add_static_file(router, "/", web_dir, "index.html", headers);
  add_static_routes(router, "/web", web_dir, headers);
}

}  // namespace socrates::host::rest
