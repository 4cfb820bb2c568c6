#pragma once
// DataError: a data file of the engine (taxonomy, question bank, lexicon) is missing or malformed.
//
// Thrown only while loading, which happens once at start-up: a deployment with broken data must
// stop with a message that names the file and the problem, never run with half a lexicon.

#include <stdexcept>
#include <string>

namespace socrates::engine {

class DataError : public std::runtime_error {
 public:
  // what() is "<file>: <problem>", e.g. "/etc/socrates/lexicon.json: terms[3].slot: unknown slot 'db'".
  DataError(std::string file, std::string problem)
      : std::runtime_error(file + ": " + problem), file_(std::move(file)), problem_(std::move(problem)) {}

  const std::string& file() const noexcept { return file_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string file_;
  std::string problem_;
};

}  // namespace socrates::engine
