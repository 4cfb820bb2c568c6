#pragma once
// Files served from one flat directory: the web client (WEB_DIR) at `/` and `/web/{file}`, and any
// other directory a route file adds (e.g. the reference docs' scripts). A name is one path segment
// of letters, digits, '.', '_' and '-', not starting with '.', with a known extension; the file
// must be a regular file whose real path (symlinks resolved) lies inside the directory's. Anything
// else is 404 NOT_FOUND in the API's error shape. Answers carry a strong ETag (of the content) and
// Cache-Control: no-cache, and If-None-Match answers 304. A file is read once and kept in memory
// until its size or modification time changes.

#include "host/rest/router.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace socrates::host::rest {

using ExtraHeaders = std::vector<std::pair<std::string, std::string>>;

// GET and HEAD `<url_prefix>/{file}` for the files of `directory`. `extra` is added to every
// answer with a file (200 and 304), e.g. a Content-Security-Policy.
void add_static_routes(Router& router, const std::string& url_prefix, std::filesystem::path directory,
                       ExtraHeaders extra = {});
// GET and HEAD `url` for the file `name` of `directory` (e.g. "/" for index.html).
void add_static_file(Router& router, const std::string& url, std::filesystem::path directory, std::string name,
                     ExtraHeaders extra = {});

// The web client: `/` is WEB_DIR's index.html, `/web/{file}` its other files.
void add_web_routes(Router& router, const std::filesystem::path& web_dir);

// ---- the rules, for tests

// The Content-Type for a file name by its extension, or nothing for an extension not served.
std::optional<std::string> static_content_type(const std::string& name);
// The file `name` names inside `directory`, when the name follows the rules above and the file is a
// regular file inside the directory (after symlinks on both sides are resolved).
std::optional<std::filesystem::path> resolve_static_file(const std::filesystem::path& directory,
                                                         const std::string& name);
// The answer to GET or HEAD (request.method) of `name` in `directory`.
HttpResponse serve_static_file(const HttpRequest& request, const std::filesystem::path& directory,
                               const std::string& name, const ExtraHeaders& extra = {});

}  // namespace socrates::host::rest
