#include "host/auth/token_signer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <chrono>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace socrates::host::auth {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kSecret = "unit-test-secret-0123456789abcdef0123456789";
const std::string kOtherSecret = "another-secret-0123456789abcdef0123456789ab";

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The abusive tokens below are assembled by hand, not with the library under test, so a bug
// shared by issue() and verify() cannot hide itself.
std::string b64url(std::string_view bytes) {
  if (sodium_init() < 0) throw std::runtime_error("sodium_init");
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.resize(out.size() - 1);
  return out;
}

std::string b64url_decode(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    throw std::runtime_error("bad base64url in test");
  }
  out.resize(len);
  return out;
}

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_len);
  return std::string(reinterpret_cast<const char*>(mac), mac_len);
}

std::string unsigned_part(const json& header, const json& payload) {
  return b64url(header.dump()) + "." + b64url(payload.dump());
}

std::string craft(const json& header, const json& payload, std::string_view key,
                  const EVP_MD* md = EVP_sha256()) {
  const std::string input = unsigned_part(header, payload);
  return input + "." + b64url(hmac(md, key, input));
}

json hs256_header() { return {{"alg", "HS256"}, {"typ", "JWT"}}; }

json good_payload() {
  const auto now = now_seconds();
  return {{"sub", "5b0f4a36-8c1e-4d8e-9d3f-2b7b1a0c9e11"},
          {"jti", "0d6e2f9c-3f7a-4b1e-8a45-9c2d7e6f1b30"},
          {"sid", "e4c1d2b3-a5f6-4789-9abc-def012345678"},
          {"iat", now},
          {"exp", now + 600}};
}

std::string split_part(const std::string& token, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  return token.substr(start, token.find('.', start) - start);
}

class TokenSignerTest : public ::testing::Test {
 protected:
  // Expects a refusal for the given reason, and that verify() neither throws nor needs `reason`.
  void expect_refused(const std::string& token, const std::string& expected_reason) {
    std::string reason;
    std::optional<AccessClaims> claims;
    EXPECT_NO_THROW(claims = signer_.verify(token, &reason)) << token;
    EXPECT_FALSE(claims.has_value()) << token;
    EXPECT_EQ(reason, expected_reason) << token;
    EXPECT_FALSE(signer_.verify(token).has_value()) << token;
  }

  TokenSigner signer_{kSecret, 30min};
};

TEST_F(TokenSignerTest, IssuedTokenVerifiesAndRoundTripsClaims) {
  AccessClaims issued;
  const std::string token = signer_.issue("user-1", "login-1", &issued);
  std::string reason = "untouched";
  const auto verified = signer_.verify(token, &reason);
  ASSERT_TRUE(verified.has_value()) << reason;
  EXPECT_EQ(verified->user_id, "user-1");
  EXPECT_EQ(verified->login_id, "login-1");
  EXPECT_EQ(verified->token_id, issued.token_id);
  EXPECT_EQ(verified->issued_at, issued.issued_at);
  EXPECT_EQ(verified->expires_at, issued.expires_at);
}

TEST_F(TokenSignerTest, IssueSignsHs256WithUuidJtiAndTtl) {
  AccessClaims issued;
  const auto before = now_seconds();
  const std::string token = signer_.issue("user-1", "login-1", &issued);
  const auto after = now_seconds();

  EXPECT_GE(issued.issued_at, before);
  EXPECT_LE(issued.issued_at, after);
  EXPECT_EQ(issued.expires_at - issued.issued_at, 1800);
  EXPECT_EQ(signer_.ttl(), 30min);
  const std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  EXPECT_TRUE(std::regex_match(issued.token_id, v4)) << issued.token_id;

  const json header = json::parse(b64url_decode(split_part(token, 0)));
  EXPECT_EQ(header.at("alg"), "HS256");
  const json payload = json::parse(b64url_decode(split_part(token, 1)));
  EXPECT_EQ(payload.at("sub"), "user-1");
  EXPECT_EQ(payload.at("sid"), "login-1");
  EXPECT_EQ(payload.at("jti"), issued.token_id);
  EXPECT_EQ(payload.at("iat"), issued.issued_at);
  EXPECT_EQ(payload.at("exp"), issued.expires_at);
}

TEST_F(TokenSignerTest, EachTokenGetsItsOwnJti) {
  AccessClaims first;
  AccessClaims second;
  signer_.issue("user-1", "login-1", &first);
  signer_.issue("user-1", "login-1", &second);
  EXPECT_NE(first.token_id, second.token_id);
}

TEST_F(TokenSignerTest, HandCraftedTokenWithTheRightKeyVerifies) {
  // Proves the crafting helpers make acceptable tokens, so each refusal below is due to its abuse.
  const json payload = good_payload();
  const auto verified = signer_.verify(craft(hs256_header(), payload, kSecret));
  ASSERT_TRUE(verified.has_value());
  EXPECT_EQ(verified->user_id, payload.at("sub"));
  EXPECT_EQ(verified->token_id, payload.at("jti"));
  EXPECT_EQ(verified->login_id, payload.at("sid"));
  // "typ" is optional.
  EXPECT_TRUE(signer_.verify(craft({{"alg", "HS256"}}, payload, kSecret)).has_value());
}

TEST_F(TokenSignerTest, RefusesAlgNone) {
  const json payload = good_payload();
  for (const char* alg : {"none", "None", "NONE", "nOnE"}) {
    const json header = {{"alg", alg}, {"typ", "JWT"}};
    expect_refused(unsigned_part(header, payload) + ".", "bad_algorithm");
    // Same, carrying a valid HS256 signature of the very bytes.
    const std::string input = unsigned_part(header, payload);
    expect_refused(input + "." + b64url(hmac(EVP_sha256(), kSecret, input)), "bad_algorithm");
  }
  expect_refused(unsigned_part({{"alg", "none"}}, payload), "malformed");  // no third part
}

TEST_F(TokenSignerTest, RefusesHs512SignedWithTheSameKey) {
  expect_refused(craft({{"alg", "HS512"}, {"typ", "JWT"}}, good_payload(), kSecret, EVP_sha512()),
                 "bad_algorithm");
  expect_refused(craft({{"alg", "HS384"}, {"typ", "JWT"}}, good_payload(), kSecret, EVP_sha384()),
                 "bad_algorithm");
}

TEST_F(TokenSignerTest, RefusesRs256Header) {
  // Algorithm confusion: an RS256 header over an HMAC made with the secret.
  expect_refused(craft({{"alg", "RS256"}, {"typ", "JWT"}}, good_payload(), kSecret),
                 "bad_algorithm");
  expect_refused(unsigned_part({{"alg", "RS256"}}, good_payload()) + "." + b64url(std::string(256, 'x')),
                 "bad_algorithm");
}

TEST_F(TokenSignerTest, RefusesAlgorithmNamesThatOnlyLookRight) {
  expect_refused(craft({{"alg", "hs256"}}, good_payload(), kSecret), "bad_algorithm");
  expect_refused(craft({{"alg", "HS256 "}}, good_payload(), kSecret), "bad_algorithm");
  expect_refused(craft({{"alg", std::string("HS256\0x", 7)}}, good_payload(), kSecret),
                 "bad_algorithm");
  expect_refused(craft({{"alg", ""}}, good_payload(), kSecret), "bad_algorithm");
}

TEST_F(TokenSignerTest, RefusesHs256SignedWithAWrongKey) {
  expect_refused(craft(hs256_header(), good_payload(), kOtherSecret), "bad_signature");
  expect_refused(craft(hs256_header(), good_payload(), ""), "bad_signature");
  expect_refused(craft(hs256_header(), good_payload(), kSecret.substr(0, kSecret.size() - 1)),
                 "bad_signature");
}

TEST_F(TokenSignerTest, RefusesTokenOfAnotherSigner) {
  const TokenSigner other(kOtherSecret, 30min);
  expect_refused(other.issue("user-1", "login-1"), "bad_signature");
}

TEST_F(TokenSignerTest, RefusesTamperedPayload) {
  const std::string token = signer_.issue("user-1", "login-1");
  json payload = json::parse(b64url_decode(split_part(token, 1)));
  payload["sub"] = "admin";
  expect_refused(split_part(token, 0) + "." + b64url(payload.dump()) + "." + split_part(token, 2),
                 "bad_signature");

  payload = json::parse(b64url_decode(split_part(token, 1)));
  payload["exp"] = payload["exp"].get<std::int64_t>() + 3600;
  expect_refused(split_part(token, 0) + "." + b64url(payload.dump()) + "." + split_part(token, 2),
                 "bad_signature");
}

TEST_F(TokenSignerTest, RefusesTamperedHeader) {
  const std::string token = signer_.issue("user-1", "login-1");
  const json header = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", "other"}};
  expect_refused(b64url(header.dump()) + "." + split_part(token, 1) + "." + split_part(token, 2),
                 "bad_signature");
}

TEST_F(TokenSignerTest, RefusesTruncatedOrExtendedSignature) {
  const std::string token = signer_.issue("user-1", "login-1");
  const std::string signature = split_part(token, 2);
  const std::string input = token.substr(0, token.rfind('.'));
  EXPECT_FALSE(signer_.verify(input + "." + signature.substr(0, 42)).has_value());
  expect_refused(input + "." + signature.substr(0, 40), "bad_signature");
  expect_refused(input + "." + signature + "AAAA", "bad_signature");
  expect_refused(input + ".", "malformed");
}

TEST_F(TokenSignerTest, RefusesExpiredToken) {
  json payload = good_payload();
  payload["iat"] = now_seconds() - 70;
  payload["exp"] = now_seconds() - 10;
  expect_refused(craft(hs256_header(), payload, kSecret), "expired");
}

TEST_F(TokenSignerTest, RefusesTokenInItsExpirySecond) {
  // RFC 7519: valid only *before* exp.
  json payload = good_payload();
  payload["exp"] = now_seconds();
  expect_refused(craft(hs256_header(), payload, kSecret), "expired");
}

TEST_F(TokenSignerTest, RefusesNegativeExp) {
  // Read as unsigned (as cpp-jwt does) -1 would be the year 584 billion.
  json payload = good_payload();
  payload["exp"] = -1;
  expect_refused(craft(hs256_header(), payload, kSecret), "expired");
}

TEST_F(TokenSignerTest, RefusesTimeClaimsThatAreNotWholeSeconds) {
  // fuzz/corpus/token/finding-exp-out-of-range: cpp-jwt converted exp = 4.1e74 to an unsigned
  // count, which is undefined behaviour; such claims are refused before it reads them.
  for (const char* name : {"exp", "iat", "nbf"}) {
    for (const json& value : {json(4.10245e74), json(1900000000.5), json("1900000000")}) {
      json payload = good_payload();
      payload[name] = value;
      expect_refused(craft(hs256_header(), payload, kSecret), "malformed");
    }
  }
}

TEST(TokenSignerExpiryTest, TokenExpiresAfterItsTtl) {
  // An injected clock, started at the system's (cpp-jwt checks exp against that one too), moves
  // on only when the test says: no sleeping to a second boundary, no sleeping out the lifetime.
  std::int64_t now = now_seconds();
  const TokenSigner short_lived(kSecret, 30min, [&now] { return now; });
  AccessClaims issued;
  const std::string token = short_lived.issue("user-1", "login-1", &issued);
  EXPECT_EQ(issued.issued_at, now);
  EXPECT_EQ(issued.expires_at, now + 1800);
  EXPECT_TRUE(short_lived.verify(token).has_value());

  now = issued.expires_at - 1;  // the last second of its life: still good (and now remembered)
  EXPECT_TRUE(short_lived.verify(token).has_value());
  now = issued.expires_at;  // RFC 7519: valid only *before* exp, also for a token remembered
  std::string reason;
  EXPECT_FALSE(short_lived.verify(token, &reason).has_value());
  EXPECT_EQ(reason, "expired");

  // A fresh signer (nothing remembered) refuses it too: the decoding path checks the same clock.
  const TokenSigner other(kSecret, 30min, [&now] { return now; });
  reason.clear();
  EXPECT_FALSE(other.verify(token, &reason).has_value());
  EXPECT_EQ(reason, "expired");
}

TEST_F(TokenSignerTest, RefusesTokenWithoutExp) {
  json payload = good_payload();
  payload.erase("exp");
  expect_refused(craft(hs256_header(), payload, kSecret), "missing_claim");
}

TEST_F(TokenSignerTest, RefusesTokensMissingAClaim) {
  for (const char* claim : {"sub", "jti", "sid", "iat"}) {
    json payload = good_payload();
    payload.erase(claim);
    SCOPED_TRACE(claim);
    expect_refused(craft(hs256_header(), payload, kSecret), "missing_claim");
  }
}

TEST_F(TokenSignerTest, RefusesEmptyStringClaims) {
  for (const char* claim : {"sub", "jti", "sid"}) {
    json payload = good_payload();
    payload[claim] = "";
    SCOPED_TRACE(claim);
    expect_refused(craft(hs256_header(), payload, kSecret), "missing_claim");
  }
}

TEST_F(TokenSignerTest, RefusesNonStringSub) {
  for (const json& sub : {json(42), json(nullptr), json::object(), json::array({"user-1"}), json(true)}) {
    json payload = good_payload();
    payload["sub"] = sub;
    SCOPED_TRACE(sub.dump());
    expect_refused(craft(hs256_header(), payload, kSecret), "malformed");
  }
}

TEST_F(TokenSignerTest, RefusesNonIntegerTimes) {
  const auto later = now_seconds() + 600;
  for (const json& exp : {json(std::to_string(later)), json(static_cast<double>(later) + 0.5),
                          json(nullptr), json(18446744073709551615ULL)}) {
    json payload = good_payload();
    payload["exp"] = exp;
    SCOPED_TRACE(exp.dump());
    expect_refused(craft(hs256_header(), payload, kSecret), "malformed");
  }
  json payload = good_payload();
  payload["iat"] = "yesterday";
  expect_refused(craft(hs256_header(), payload, kSecret), "malformed");
}

TEST_F(TokenSignerTest, RefusesOddHeaders) {
  const json payload = good_payload();
  expect_refused(craft({{"alg", 256}}, payload, kSecret), "malformed");
  expect_refused(craft({{"typ", "JWT"}}, payload, kSecret), "malformed");
  expect_refused(craft({{"alg", "HS256"}, {"typ", 5}}, payload, kSecret), "malformed");
  expect_refused(craft({{"alg", "HS256"}, {"typ", "JWE"}}, payload, kSecret), "malformed");
  expect_refused(craft({{"alg", "HS256"}, {"crit", {"exp"}}}, payload, kSecret), "malformed");
  expect_refused(craft(json::array({"HS256"}), payload, kSecret), "malformed");
}

TEST_F(TokenSignerTest, RefusesGarbageWithoutThrowing) {
  const std::string good = craft(hs256_header(), good_payload(), kSecret);
  const std::string header = split_part(good, 0);
  const std::string payload = split_part(good, 1);
  const std::string signature = split_part(good, 2);
  const std::string signed_array_payload = [] {
    const std::string input = b64url(json{{"alg", "HS256"}}.dump()) + "." + b64url("[1,2]");
    return input + "." + b64url(hmac(EVP_sha256(), kSecret, input));
  }();
  const std::string signed_text_payload = [] {
    const std::string input = b64url(json{{"alg", "HS256"}}.dump()) + "." + b64url("not json");
    return input + "." + b64url(hmac(EVP_sha256(), kSecret, input));
  }();

  const std::vector<std::string> garbage = {
      "",
      ".",
      "..",
      "...",
      "a",
      "a.b",
      "a.b.c",
      "a.b.c.d",
      good + ".",
      good + "." + signature,
      "Bearer " + good,
      " " + good,
      good + " ",
      good + "=",
      header + "==." + payload + "." + signature,
      header + "\n." + payload + "." + signature,
      "." + payload + "." + signature,
      header + ".." + signature,
      b64url("not json") + "." + payload + "." + signature,
      b64url("null") + "." + payload + "." + signature,
      std::string("\xff\xfe\x80.\x80\x81.\xc3\xa9", 10),
      std::string("eyJ\0hbGciOiJIUzI1NiJ9.e30.e30", 30),
      std::string(5000, 'A') + "." + payload + "." + signature,
      good + std::string(5000, 'A'),
      signed_array_payload,
      signed_text_payload,
  };
  for (const auto& token : garbage) {
    std::optional<AccessClaims> claims;
    EXPECT_NO_THROW(claims = signer_.verify(token)) << token;
    EXPECT_FALSE(claims.has_value()) << token;
  }
  std::string reason;
  EXPECT_FALSE(signer_.verify("", &reason).has_value());
  EXPECT_EQ(reason, "malformed");
}

TEST_F(TokenSignerTest, EveryOneCharacterChangeIsRefused) {
  const std::string token = signer_.issue("user-1", "login-1");
  // Remembered as authentic now: none of its neighbours may ride on that.
  ASSERT_TRUE(signer_.verify(token).has_value());
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (const char replacement : {'A', 'B', '.', '-', '\0', '\x80'}) {
      if (token[i] == replacement) continue;
      std::string altered = token;
      altered[i] = replacement;
      std::optional<AccessClaims> claims;
      EXPECT_NO_THROW(claims = signer_.verify(altered));
      EXPECT_FALSE(claims.has_value()) << "position " << i << " -> " << int(replacement);
    }
  }
}

TEST_F(TokenSignerTest, ARememberedTokenAnswersTheSameClaimsToItsSignerOnly) {
  AccessClaims issued;
  const std::string token = signer_.issue("user-7", "login-7", &issued);
  for (int i = 0; i < 3; ++i) {
    const auto claims = signer_.verify(token);
    ASSERT_TRUE(claims.has_value());
    EXPECT_EQ(claims->user_id, "user-7");
    EXPECT_EQ(claims->login_id, "login-7");
    EXPECT_EQ(claims->token_id, issued.token_id);
    EXPECT_EQ(claims->expires_at, issued.expires_at);
  }
  const TokenSigner other(std::string(kSecret.size(), 'x'), 30min);
  std::string reason;
  EXPECT_FALSE(other.verify(token, &reason).has_value());
  EXPECT_EQ(reason, "bad_signature");
}

TEST(TokenSignerConstructionTest, RefusesEmptySecretAndNonPositiveTtl) {
  EXPECT_THROW(TokenSigner("", 30min), std::invalid_argument);
  EXPECT_THROW(TokenSigner(kSecret, 0s), std::invalid_argument);
  EXPECT_THROW(TokenSigner(kSecret, -1s), std::invalid_argument);
}

TEST_F(TokenSignerTest, IssueRefusesEmptyIds) {
  EXPECT_THROW(signer_.issue("", "login-1"), std::invalid_argument);
  EXPECT_THROW(signer_.issue("user-1", ""), std::invalid_argument);
}

}  // namespace
}  // namespace socrates::host::auth
