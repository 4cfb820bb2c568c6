// Forged, altered and malformed access tokens against the real host: every one must be refused
// with 401 UNAUTHENTICATED in the error shape, with WWW-Authenticate. The tokens are crafted here
// with OpenSSL, using the very SECRET_KEY the host was started with, so that each test isolates
// one defect (a control test shows a correctly crafted token is accepted).
#include "e2e/e2e_helpers.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>

namespace socrates::test::e2e {
namespace {

std::string base64url(const std::string& data) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                       static_cast<unsigned char>(data[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == data.size()) {
    const unsigned v = static_cast<unsigned char>(data[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == data.size()) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string base64url_decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) break;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

std::string hmac(const EVP_MD* digest, const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(digest, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &length);
  return std::string(reinterpret_cast<const char*>(out), length);
}

// header.payload.signature, signed with HMAC over `digest` (or unsigned when digest is null).
std::string make_token(const nlohmann::json& header, const nlohmann::json& payload, const std::string& key,
                       const EVP_MD* digest) {
  const std::string input = base64url(header.dump()) + "." + base64url(payload.dump());
  return input + "." + (digest ? base64url(hmac(digest, key, input)) : "");
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Parts {
  std::string header, payload, signature;
};

Parts split(const std::string& token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  return {token.substr(0, first), token.substr(first + 1, second - first - 1), token.substr(second + 1)};
}

class TokenAbuseE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { host_ = new HostUnderTest(); }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override {
    expect_host_started(host_);
    user_ = new_user(client());
    // The real token's claims (sub, sid, jti, iat, exp): forged tokens reuse them, so that the
    // only thing wrong with each is what the test changes.
    claims_ = nlohmann::json::parse(base64url_decode(split(user_.access_token).payload));
  }
  void TearDown() override { expect_host_alive(host_); }

  HttpClient client() const { return host_->client(); }
  const std::string& secret() const { return host_->env.at("SECRET_KEY"); }

  static nlohmann::json hs256_header() { return {{"alg", "HS256"}, {"typ", "JWT"}}; }

  // A refused token: 401 UNAUTHENTICATED in the error shape with a Bearer challenge, on a user
  // route and on a project route (authentication is the same layer for both).
  static ::testing::AssertionResult Refused(const HttpClient& client, const Headers& headers) {
    for (const char* path : {"/api/v1/auth/me", "/api/v1/projects"}) {
      const auto response = client.request("GET", path, "", headers);
      auto shape = IsApiError(response, 401, "UNAUTHENTICATED");
      if (!shape) return shape << " on " << path;
      if (response.header("www-authenticate").value_or("").rfind("Bearer", 0) != 0)
        return ::testing::AssertionFailure() << "no 'WWW-Authenticate: Bearer' on " << path << "\n"
                                             << describe(response);
    }
    return ::testing::AssertionSuccess();
  }
  ::testing::AssertionResult RefusedToken(const std::string& token) const { return Refused(client(), bearer(token)); }

  static HostUnderTest* host_;
  TestUser user_;
  nlohmann::json claims_;
};

HostUnderTest* TokenAbuseE2eTest::host_ = nullptr;

TEST_F(TokenAbuseE2eTest, ControlAFaithfullyForgedTokenIsAccepted) {
  // Proves the crafting below is right: same claims, same key, HS256 → accepted, so every refusal
  // in this suite is caused by the one thing each test changes.
  const std::string token = make_token(hs256_header(), claims_, secret(), EVP_sha256());
  const auto response = client().get("/api/v1/auth/me", token);
  ASSERT_EQ(response.status, 200) << describe(response);
  EXPECT_EQ(response.json()["id"], user_.id);
  EXPECT_TRUE(claims_.contains("sub") && claims_.contains("exp") && claims_.contains("iat") &&
              claims_.contains("jti") && claims_.contains("sid"))
      << claims_.dump();
  EXPECT_EQ(claims_["sub"], user_.id);
}

TEST_F(TokenAbuseE2eTest, AlgNoneIsRefused) {
  EXPECT_TRUE(RefusedToken(make_token({{"alg", "none"}, {"typ", "JWT"}}, claims_, "", nullptr)));
  EXPECT_TRUE(RefusedToken(make_token({{"alg", "None"}, {"typ", "JWT"}}, claims_, "", nullptr)));
  // Even with a valid HS256 signature attached, a header claiming "none" is not ours.
  EXPECT_TRUE(RefusedToken(make_token({{"alg", "none"}, {"typ", "JWT"}}, claims_, secret(), EVP_sha256())));
}

TEST_F(TokenAbuseE2eTest, Hs512SignedWithTheRightKeyIsRefused) {
  EXPECT_TRUE(RefusedToken(make_token({{"alg", "HS512"}, {"typ", "JWT"}}, claims_, secret(), EVP_sha512())));
  EXPECT_TRUE(RefusedToken(make_token({{"alg", "HS384"}, {"typ", "JWT"}}, claims_, secret(), EVP_sha384())));
}

TEST_F(TokenAbuseE2eTest, SignedWithAWrongKeyIsRefused) {
  EXPECT_TRUE(RefusedToken(make_token(hs256_header(), claims_, random_secret(48), EVP_sha256())));
  // A near miss: the right key but for its last character.
  std::string almost = secret();
  almost.back() = almost.back() == 'a' ? 'b' : 'a';
  EXPECT_TRUE(RefusedToken(make_token(hs256_header(), claims_, almost, EVP_sha256())));
}

TEST_F(TokenAbuseE2eTest, TamperedPayloadWithTheOriginalSignatureIsRefused) {
  const Parts parts = split(user_.access_token);
  const TestUser victim = new_user(client(), "victim");

  nlohmann::json other_subject = claims_;
  other_subject["sub"] = victim.id;
  EXPECT_TRUE(RefusedToken(parts.header + "." + base64url(other_subject.dump()) + "." + parts.signature));

  // A change nothing else would catch: only the signature stands between this and a longer life.
  nlohmann::json longer = claims_;
  longer["exp"] = claims_["exp"].get<std::int64_t>() + 3600;
  EXPECT_TRUE(RefusedToken(parts.header + "." + base64url(longer.dump()) + "." + parts.signature));
}

TEST_F(TokenAbuseE2eTest, ExpiredTokenIsRefused) {
  nlohmann::json expired = claims_;
  expired["iat"] = now_s() - 3600;
  expired["exp"] = now_s() - 60;
  EXPECT_TRUE(RefusedToken(make_token(hs256_header(), expired, secret(), EVP_sha256())));
}

TEST_F(TokenAbuseE2eTest, TokenWithoutExpIsRefused) {
  // cpp-jwt on its own accepts a token without exp; such a token would never expire.
  nlohmann::json forever = claims_;
  forever.erase("exp");
  EXPECT_TRUE(RefusedToken(make_token(hs256_header(), forever, secret(), EVP_sha256())));
}

TEST_F(TokenAbuseE2eTest, GarbageIsRefused) {
  EXPECT_TRUE(RefusedToken("garbage"));
  EXPECT_TRUE(RefusedToken("a.b.c"));
  EXPECT_TRUE(RefusedToken(user_.access_token + "x"));
  EXPECT_TRUE(RefusedToken(user_.access_token + ".extra"));
  EXPECT_TRUE(RefusedToken(std::string(8192, 'A')));
  EXPECT_TRUE(Refused(client(), {{"Authorization", "Bearer"}}));
  EXPECT_TRUE(Refused(client(), {{"Authorization", "Bearer "}}));
}

TEST_F(TokenAbuseE2eTest, AnAuthorizationHeaderWithoutTheBearerSchemeIsRefused) {
  EXPECT_TRUE(Refused(client(), {{"Authorization", user_.access_token}}));
  EXPECT_TRUE(Refused(client(), {{"Authorization", "Token " + user_.access_token}}));
  EXPECT_TRUE(Refused(client(), {{"Authorization", "Basic dXNlcjpwYXNzd29yZA=="}}));
  EXPECT_TRUE(Refused(client(), {}));
}

}  // namespace
}  // namespace socrates::test::e2e
