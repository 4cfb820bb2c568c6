#include "host/auth/token_signer.hpp"

#include "host/crypto/crypto_random.hpp"

#include <jwt/jwt.hpp>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <unordered_map>

namespace socrates::host::auth {
namespace {

constexpr const char* kAlgorithm = "HS256";

// Ours are ~300 bytes. The bound keeps a hostile Authorization header from costing more than a
// few microseconds of decoding.
constexpr std::size_t kMaxTokenBytes = 4096;

// Tokens remembered as authentic: about 1.5 MiB at most. A full cache starts again empty.
constexpr std::size_t kMaxVerifiedTokens = 4096;

struct Refused {
  const char* reason;
};

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Strict base64url without padding: libsodium rejects non-alphabet characters, impossible
// lengths and non-zero trailing bits, so every token has exactly one spelling.
std::optional<std::string> decode_segment(std::string_view segment) {
  if (segment.empty()) return std::nullopt;
  std::string out(segment.size() * 3 / 4 + 1, '\0');
  std::size_t out_len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), segment.data(),
                        segment.size(), nullptr, &out_len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != segment.data() + segment.size()) {
    return std::nullopt;
  }
  out.resize(out_len);
  return out;
}

nlohmann::json parse_object(std::string_view segment) {
  const auto text = decode_segment(segment);
  if (!text) throw Refused{"malformed"};
  auto json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) throw Refused{"malformed"};
  return json;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The header is judged before any key is used: RFC 8725 §3.1, the algorithm is ours to choose,
// never the token's. Exact match: JOSE "alg" values are case-sensitive, unlike cpp-jwt's check.
void check_header(std::string_view segment) {
  const auto header = parse_object(segment);
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) throw Refused{"malformed"};
  if (alg->get_ref<const std::string&>() != kAlgorithm) throw Refused{"bad_algorithm"};
  if (const auto typ = header.find("typ"); typ != header.end()) {
    if (!typ->is_string() || !iequals(typ->get_ref<const std::string&>(), "JWT")) {
      throw Refused{"malformed"};
    }
  }
  // RFC 7515 §4.1.11: a token marking extensions critical must be refused by anyone who does
  // not implement them, and we implement none.
  if (header.contains("crit")) throw Refused{"malformed"};
}

// The time claims are whole numbers of seconds before cpp-jwt reads them: it converts them to an
// unsigned 64-bit count whatever they are, and a fraction or a number past that range (4.1e74) is
// undefined behaviour there (found by fuzz/token_fuzz.cpp; corpus/token/finding-exp-out-of-range).
void check_time_claims(std::string_view segment) {
  const auto payload = parse_object(segment);
  for (const char* name : {"exp", "iat", "nbf"}) {
    const auto claim = payload.find(name);
    if (claim == payload.end()) continue;
    if (!claim->is_number_integer()) throw Refused{"malformed"};
  }
}

// cpp-jwt compares signatures with ==, whose running time tells an attacker how many leading
// characters of a forged MAC were right. This comparison is constant-time, and runs first.
void check_signature(const std::string& secret, std::string_view signing_input,
                     std::string_view signature_segment) {
  const auto signature = decode_segment(signature_segment);
  if (!signature) throw Refused{"malformed"};
  if (signature->size() != crypto_auth_hmacsha256_BYTES) throw Refused{"bad_signature"};

  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> expected{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signing_input.data()),
                                signing_input.size());
  crypto_auth_hmacsha256_final(&state, expected.data());
  sodium_memzero(&state, sizeof state);

  if (sodium_memcmp(expected.data(), signature->data(), expected.size()) != 0) {
    throw Refused{"bad_signature"};
  }
}

// cpp-jwt's error categories are namespace-scope constants, one copy per translation unit that
// includes its headers, so its codes are compared by category name rather than by address.
template <typename Enum>
bool is_code(const std::error_code& ec, Enum value) {
  const std::error_code expected = jwt::make_error_code(value);
  return ec.value() == expected.value() &&
         std::strcmp(ec.category().name(), expected.category().name()) == 0;
}

const char* reason_for(const std::error_code& ec) {
  if (is_code(ec, jwt::VerificationErrc::TokenExpired)) return "expired";
  if (is_code(ec, jwt::VerificationErrc::InvalidAlgorithm) ||
      is_code(ec, jwt::AlgorithmErrc::NoneAlgorithmUsed)) {
    return "bad_algorithm";
  }
  if (is_code(ec, jwt::VerificationErrc::InvalidSignature) ||
      is_code(ec, jwt::AlgorithmErrc::VerificationErr)) {
    return "bad_signature";
  }
  return "malformed";
}

// cpp-jwt checks exp only when present, and reads it as unsigned, so a negative exp would
// never expire: require a signed 64-bit integer ourselves.
std::int64_t integer_claim(const nlohmann::json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end()) throw Refused{"missing_claim"};
  if (it->is_number_unsigned()) {
    const auto value = it->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      throw Refused{"malformed"};
    }
    return static_cast<std::int64_t>(value);
  }
  if (!it->is_number_integer()) throw Refused{"malformed"};
  return it->get<std::int64_t>();
}

std::string string_claim(const nlohmann::json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end()) throw Refused{"missing_claim"};
  if (!it->is_string()) throw Refused{"malformed"};
  const auto& value = it->get_ref<const std::string&>();
  if (value.empty()) throw Refused{"missing_claim"};
  return value;
}

}  // namespace

TokenSigner::TokenSigner(std::string secret, std::chrono::seconds ttl, Clock clock)
    : secret_(std::move(secret)),
      ttl_(ttl),
      now_(clock ? std::move(clock) : Clock(now_seconds)),
      verified_(std::make_shared<Verified>()) {
  if (secret_.empty()) throw std::invalid_argument("TokenSigner: empty secret");
  if (ttl_.count() <= 0) throw std::invalid_argument("TokenSigner: ttl must be positive");
}

std::string TokenSigner::issue(const std::string& user_id, const std::string& login_id,
                               AccessClaims* claims) const {
  if (user_id.empty() || login_id.empty()) {
    throw std::invalid_argument("TokenSigner::issue: empty user or login id");
  }
  AccessClaims signed_claims;
  signed_claims.user_id = user_id;
  signed_claims.login_id = login_id;
  signed_claims.token_id = crypto::new_uuid();
  signed_claims.issued_at = now_();
  signed_claims.expires_at = signed_claims.issued_at + ttl_.count();

  jwt::jwt_object object{jwt::params::algorithm(kAlgorithm), jwt::params::secret(secret_)};
  object.add_claim("sub", signed_claims.user_id)
      .add_claim("jti", signed_claims.token_id)
      .add_claim("sid", signed_claims.login_id)
      .add_claim("iat", signed_claims.issued_at)
      .add_claim("exp", signed_claims.expires_at);

  std::error_code ec;
  std::string token = object.signature(ec);
  if (ec || token.empty()) throw std::runtime_error("TokenSigner::issue: signing failed");
  if (claims != nullptr) *claims = std::move(signed_claims);
  return token;
}

// Decoding a token (base64, JSON, the signature twice) is most of what checking it costs, and
// every request of a client presents the same token until it expires.
struct TokenSigner::Verified {
  std::mutex mutex;
  std::unordered_map<std::string, AccessClaims> claims;  // token -> what it says
};

std::optional<AccessClaims> TokenSigner::verify(std::string_view token,
                                                std::string* reason) const noexcept {
  try {
    if (token.empty() || token.size() > kMaxTokenBytes) throw Refused{"malformed"};
    std::string key(token);
    std::optional<AccessClaims> known;
    {
      std::lock_guard<std::mutex> lock(verified_->mutex);
      if (auto it = verified_->claims.find(key); it != verified_->claims.end()) known = it->second;
    }
    if (known) {
      if (now_() >= known->expires_at) throw Refused{"expired"};
      return known;
    }
    const auto first_dot = token.find('.');
    const auto second_dot =
        first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
    if (second_dot == std::string_view::npos ||
        token.find('.', second_dot + 1) != std::string_view::npos) {
      throw Refused{"malformed"};
    }

    check_header(token.substr(0, first_dot));
    check_signature(secret_, token.substr(0, second_dot), token.substr(second_dot + 1));

    check_time_claims(token.substr(first_dot + 1, second_dot - first_dot - 1));

    // Authentic from here on. cpp-jwt re-checks algorithm and signature, and checks exp and nbf.
    std::error_code ec;
    const auto object =
        jwt::decode(jwt::string_view{token.data(), token.size()},
                    jwt::params::algorithms({kAlgorithm}), ec, jwt::params::secret(secret_),
                    jwt::params::verify(true));
    if (ec) throw Refused{reason_for(ec)};

    const auto& payload = object.payload().create_json_obj();
    if (!payload.is_object()) throw Refused{"malformed"};
    AccessClaims claims;
    claims.user_id = string_claim(payload, "sub");
    claims.token_id = string_claim(payload, "jti");
    claims.login_id = string_claim(payload, "sid");
    claims.issued_at = integer_claim(payload, "iat");
    claims.expires_at = integer_claim(payload, "exp");
    // RFC 7519 §4.1.4: the token must be refused "on or after" exp; cpp-jwt only after.
    if (now_() >= claims.expires_at) throw Refused{"expired"};
    std::lock_guard<std::mutex> lock(verified_->mutex);
    if (verified_->claims.size() >= kMaxVerifiedTokens) verified_->claims.clear();
    verified_->claims.emplace(std::move(key), claims);
    return claims;
  } catch (const Refused& refused) {
    // Every reason fits std::string's inline buffer, so these assignments cannot throw.
    if (reason != nullptr) *reason = refused.reason;
  } catch (...) {
    // cpp-jwt throws nlohmann type errors and its own exceptions on odd input; all of it is
    // just a token we do not accept.
    if (reason != nullptr) *reason = "malformed";
  }
  return std::nullopt;
}

}  // namespace socrates::host::auth
