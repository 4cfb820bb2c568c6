#pragma once
// Reading a scrape of GET /metrics (Prometheus text format 0.0.4) in tests.

#include <sstream>
#include <string>

namespace socrates::test {

// The value of the sample whose name and labels are written exactly as `series` (labels in the
// order the host writes them: sorted by name), or -1 when the scrape has no such sample.
inline double metric_value(const std::string& scrape, const std::string& series) {
  std::istringstream lines(scrape);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

// A counter's value in the scrape, 0 while it has no sample yet.
inline double counter_value(const std::string& scrape, const std::string& series) {
  const double value = metric_value(scrape, series);
  return value < 0 ? 0 : value;
}

// Whether the scrape has `wanted` as a whole line (a HELP or TYPE line, say).
inline bool has_metric_line(const std::string& scrape, const std::string& wanted) {
  std::istringstream lines(scrape);
  for (std::string line; std::getline(lines, line);)
    if (line == wanted) return true;
  return false;
}

}  // namespace socrates::test
