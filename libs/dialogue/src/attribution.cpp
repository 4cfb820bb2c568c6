#include <socrates/dialogue/attribution.hpp>

#include <socrates/dialogue/store.hpp>

namespace socrates::agents::dialogue {
namespace {

constexpr const char* kRememberSql =
    "INSERT INTO people (user_id, email) VALUES ($1::uuid, $2) ON CONFLICT (user_id) DO UPDATE SET email = "
    "EXCLUDED.email, updated_at = clock_timestamp() WHERE people.email IS DISTINCT FROM EXCLUDED.email";

}  // namespace

std::optional<std::string> caller_email(const sdk::Request& request) {
  const auto it = request.params.find("caller_email");
  if (it == request.params.end() || !it->is_string()) return std::nullopt;
  const std::string& email = it->get_ref<const std::string&>();
  if (email.size() < 3 || email.size() > 320) return std::nullopt;
  return email;
}

void add_caller(sdk::Batch& batch, const sdk::Request& request) {
  if (auto email = caller_email(request)) batch.add(kRememberSql, {owner(request), *email});
}

void remember_caller(sdk::Db& db, const sdk::Request& request) {
  sdk::Batch batch;
  add_caller(batch, request);
  if (!batch.empty()) db.run(batch);
}

}  // namespace socrates::agents::dialogue
