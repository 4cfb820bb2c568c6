// TokenSigner::verify (host/auth/token_signer.*) with any bytes as an access token, three ways,
// chosen by the input's first byte:
//  - '{': "HEADER\nPAYLOAD", two texts (JSON or not) that the harness encodes and signs with the
//    secret, so that the fuzzer reaches what follows the signature check (cpp-jwt's decoding, the
//    claims) as only the holder of SECRET_KEY could;
//  - '#': "USER\nLOGIN", ids issued as a token by the signer and verified back;
//  - anything else: the bytes verbatim, as an Authorization header would carry them.
// Checked: verify never throws (it is noexcept: a throw would end the process), a refusal gives
// one of the documented reasons, an acceptance has HS256 in its header, and claims that are
// exactly the payload's (non-empty sub, jti, sid; integer iat and exp; not expired); a token the
// signer issued verifies to the ids it was issued for.

#include "fuzz_check.hpp"

#include "host/auth/token_signer.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <set>
#include <string>

using socrates::host::auth::AccessClaims;
using socrates::host::auth::TokenSigner;

namespace {

// The corpus's authentic tokens are signed with this secret (see fuzz/corpus/token/README).
const char* const kSecret = "fuzz-secret-0123456789abcdef-0123456789";

const TokenSigner& signer() {
  static const TokenSigner instance = [] {
    FUZZ_CHECK(sodium_init() >= 0, "sodium_init");
    return TokenSigner(kSecret, std::chrono::hours(1));
  }();
  return instance;
}

std::string base64url(const std::string& bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

std::string sign(const std::string& header, const std::string& payload) {
  const std::string input = base64url(header) + "." + base64url(payload);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(kSecret), std::strlen(kSecret));
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return input + "." + base64url(std::string(reinterpret_cast<const char*>(mac), sizeof mac));
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<AccessClaims> verify(const std::string& token) {
  static const std::set<std::string> kReasons = {"malformed", "bad_algorithm", "bad_signature", "missing_claim",
                                                 "expired"};
  std::string reason;
  auto claims = signer().verify(token, &reason);
  if (!claims) {
    FUZZ_CHECK(kReasons.count(reason) == 1, "an undocumented reason: '" + reason + "'");
    return claims;
  }
  FUZZ_CHECK(!claims->user_id.empty() && !claims->token_id.empty() && !claims->login_id.empty(),
             "accepted with an empty id");
  // Accepted within the last second, so it cannot have expired more than a second ago.
  FUZZ_CHECK(claims->expires_at + 1 > now_seconds(), "accepted an expired token");
  return claims;
}

void check_signed(const std::string& header, const std::string& payload) {
  const auto claims = verify(sign(header, payload));
  if (!claims) return;
  const auto h = nlohmann::json::parse(header, nullptr, false);
  FUZZ_CHECK(h.is_object() && h.value("alg", "") == "HS256", "accepted the header " + header);
  const auto p = nlohmann::json::parse(payload, nullptr, false);
  FUZZ_CHECK(p.is_object(), "accepted the payload " + payload);
  FUZZ_CHECK(p.value("sub", "") == claims->user_id && p.value("jti", "") == claims->token_id &&
                 p.value("sid", "") == claims->login_id,
             "ids other than the payload's: " + payload);
  FUZZ_CHECK(p["exp"].is_number_integer() && p["exp"].get<std::int64_t>() == claims->expires_at &&
                 p["iat"].is_number_integer() && p["iat"].get<std::int64_t>() == claims->issued_at,
             "times other than the payload's: " + payload);
}

void check_issued(const std::string& user, const std::string& login) {
  // Ids are UUIDs in the host (36 bytes); any non-empty UTF-8 text up to 128 bytes must survive the
  // trip. Longer ones can make a token over the 4 KiB that verify() reads at most, which the host
  // never issues (corpus/token/finding-issued-over-4k).
  if (user.empty() || login.empty() || user.size() > 128 || login.size() > 128 ||
      !socrates::fuzz::valid_utf8(user) || !socrates::fuzz::valid_utf8(login))
    return;
  AccessClaims issued;
  const std::string token = signer().issue(user, login, &issued);
  const auto claims = verify(token);
  FUZZ_CHECK(claims, "a token just issued was refused: " + token);
  FUZZ_CHECK(claims->user_id == user && claims->login_id == login && claims->token_id == issued.token_id &&
                 claims->expires_at == issued.expires_at,
             "a token just issued verified to other claims: " + token);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(socrates::fuzz::as_text(data, size));
  const auto newline = input.find('\n');
  const std::string first = input.substr(0, newline);
  const std::string second = newline == std::string::npos ? "" : input.substr(newline + 1);
  if (!input.empty() && input[0] == '{') {
    check_signed(first, second);
  } else if (!input.empty() && input[0] == '#') {
    check_issued(first.substr(1), second);
  } else {
    verify(input);
  }
  return 0;
}
