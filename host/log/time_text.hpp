#pragma once
// A point in time as the API and the logs write it: RFC 3339 in UTC, to the second.

#include <chrono>
#include <string>

namespace socrates::host {

std::string rfc3339(std::chrono::system_clock::time_point at);

}  // namespace socrates::host
