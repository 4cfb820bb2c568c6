#pragma once
// Reading a header of a parsed Pistache request, whatever Pistache made of it: a raw header as
// sent, or a typed one (Connection, Content-Type, …) written back out. Shared by the server and
// the HTTP fuzz harness, which must read requests the same way.

#include <pistache/http.h>

#include <optional>
#include <sstream>
#include <string>

namespace socrates::host::rest {

inline std::optional<std::string> header_value(const Pistache::Http::Request& request, const std::string& name) {
  const auto& headers = request.headers();
  if (auto raw = headers.tryGetRaw(name)) return raw->value();
  if (auto typed = headers.tryGet(name)) {
    std::ostringstream out;
    typed->write(out);
    return out.str();
  }
  return std::nullopt;
}

}  // namespace socrates::host::rest
