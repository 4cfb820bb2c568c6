#pragma once
// Attribution (docs/domain.md "Attribution and stakeholders"): every answer, message,
// specification version, conflict resolution and phase advance records the user id of who made it
// (migration 010), in the statement that writes it. Who an id is — the email shown beside it in
// lists, the history and the exports — comes from the `people` table, which these functions keep:
// the host hands every request its caller's email (params "caller_email", taken from the access
// token's account, never from a body), and the writes that start someone's work on a project
// (a project, a session, a manual change, a resolution, an advance) remember it.
// Part of libs/dialogue (socrates_dialogue).

#include <socrates/sdk.hpp>

#include <optional>
#include <string>

namespace socrates::agents::dialogue {

// The caller's email as the host vouched for it, or nothing (a call the host made on its own).
std::optional<std::string> caller_email(const sdk::Request& request);

// Adds to `batch` the statement that remembers who the caller is (people); it writes only when
// the email is new or changed. Nothing when the request carries no email.
void add_caller(sdk::Batch& batch, const sdk::Request& request);

// The same, run now in the caller's transaction.
void remember_caller(sdk::Db& db, const sdk::Request& request);

}  // namespace socrates::agents::dialogue
