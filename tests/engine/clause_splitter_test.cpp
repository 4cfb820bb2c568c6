// Clause splitting: sentences, ';', lines and bullets, and "and"/"but" only between full clauses.

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace socrates::engine {
namespace {

using test_support::shipped;
using Clauses = std::vector<std::string>;

struct SplitCase {
  const char* answer;
  Clauses clauses;
};

TEST(ClauseSplitterTest, Table) {
  const std::vector<SplitCase> cases = {
      // Lists of nouns stay together.
      {"We use PostgreSQL and Redis.", {"We use PostgreSQL and Redis"}},
      {"Users can create and edit invoices.", {"Users can create and edit invoices"}},
      {"Search and filtering must be quick.", {"Search and filtering must be quick"}},
      {"We need login and password reset", {"We need login and password reset"}},
      // Full clauses on both sides split.
      {"We use React and the backend is in Go.", {"We use React", "the backend is in Go"}},
      {"It must be fast and it must be cheap and it must be secure.",
       {"It must be fast", "it must be cheap", "it must be secure"}},
      {"Data is encrypted, and backups are taken nightly.", {"Data is encrypted", "backups are taken nightly"}},
      {"We use Postgres and Redis and it all runs on AWS.", {"We use Postgres and Redis", "it all runs on AWS"}},
      // "but" splits as soon as a full clause follows it.
      {"Not sure yet, but I think Python.", {"Not sure yet", "I think Python"}},
      {"A small but important feature.", {"A small but important feature"}},
      // Sentences and semicolons.
      {"Fast. Secure! Cheap?", {"Fast", "Secure", "Cheap"}},
      {"Admins can edit; guests can only read.", {"Admins can edit", "guests can only read"}},
      // Dots that end no sentence.
      {"Node.js is fine; 99.9% uptime.", {"Node.js is fine", "99.9% uptime"}},
      {"We need backups, e.g. nightly ones. Then restore tests.",
       {"We need backups, e.g. nightly ones", "Then restore tests"}},
      {"Postgres, Redis etc. We also need a queue.", {"Postgres, Redis etc", "We also need a queue"}},
      // Lines, bullets and numbering.
      {"- Python with Django\n- PostgreSQL\n* hosted on Hetzner",
       {"Python with Django", "PostgreSQL", "hosted on Hetzner"}},
      {"1) first thing\n2. second thing\r\n", {"first thing", "second thing"}},
      // Nothing to split.
      {"", {}},
      {"   ", {}},
      {"...?!", {}},
      {"I don't know.", {"I don't know"}},
  };
  for (const SplitCase& c : cases) EXPECT_EQ(shipped().split_clauses(c.answer), c.clauses) << "answer: " << c.answer;
}

TEST(ClauseSplitterTest, TypographicCharactersAreRead) {
  // Typographic apostrophes and an ellipsis, which ends a sentence like "...".
  EXPECT_EQ(shipped().split_clauses("We\xE2\x80\x99ll use Go\xE2\x80\xA6 It\xE2\x80\x99s fine"),
            (Clauses{"We'll use Go", "It's fine"}));
}

}  // namespace
}  // namespace socrates::engine
