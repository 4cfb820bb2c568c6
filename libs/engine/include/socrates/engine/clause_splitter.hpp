#pragma once
// Splits an answer into the clauses specifications are read from: lines, sentences, ';', and
// "and"/"but" only where both sides are full clauses, so that "PostgreSQL and Redis" or "create
// and edit invoices" stay together while "we use React and the backend is in Go" splits.
// Pure: thread-safe.

#include <socrates/engine/lexicon.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

// Clauses in answer order, trimmed, without their closing punctuation; none for an empty answer.
std::vector<std::string> split_clauses(std::string_view answer, const ClauseRules& rules);

}  // namespace socrates::engine
