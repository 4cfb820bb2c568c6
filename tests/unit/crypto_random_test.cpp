#include "host/crypto/crypto_random.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <stdexcept>
#include <string>

namespace socrates::host::crypto {
namespace {

bool is_base64url(const std::string& s) {
  for (const char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

TEST(CryptoRandomTest, RandomTokenHasUnpaddedBase64UrlLength) {
  EXPECT_EQ(random_token().size(), 43u);  // ceil(32 * 4 / 3), no '=' padding
  EXPECT_EQ(random_token(1).size(), 2u);
  EXPECT_EQ(random_token(16).size(), 22u);
  EXPECT_EQ(random_token(48).size(), 64u);
}

TEST(CryptoRandomTest, RandomTokenUsesOnlyTheUrlSafeAlphabet) {
  for (int i = 0; i < 200; ++i) {
    const std::string token = random_token();
    ASSERT_TRUE(is_base64url(token)) << token;
  }
}

TEST(CryptoRandomTest, RandomTokenIsUniqueOver1000Draws) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(random_token());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(CryptoRandomTest, RandomTokenRefusesZeroBytes) {
  EXPECT_THROW(random_token(0), std::invalid_argument);
}

TEST(CryptoRandomTest, NewUuidMatchesTheVersion4Pattern) {
  const std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = new_uuid();
    ASSERT_TRUE(std::regex_match(id, v4)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(CryptoRandomTest, Sha256HexMatchesKnownVectors) {
  // FIPS 180-2, appendix B.1, and the digest of the empty message.
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CryptoRandomTest, Sha256HexHashesEmbeddedNulBytes) {
  using namespace std::string_literals;
  EXPECT_NE(sha256_hex("a\0b"s), sha256_hex("a"));
}

TEST(CryptoRandomTest, ConstantTimeEqualsComparesBytes) {
  using namespace std::string_literals;
  EXPECT_TRUE(constant_time_equals("same secret", "same secret"));
  EXPECT_FALSE(constant_time_equals("same secret", "same secreT"));
  EXPECT_FALSE(constant_time_equals("Same secret", "same secret"));
  EXPECT_FALSE(constant_time_equals("short", "shorter"));
  EXPECT_FALSE(constant_time_equals("", "x"));
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals(std::string_view{}, std::string_view{}));
  EXPECT_FALSE(constant_time_equals("a\0b"s, "a\0c"s));
}

TEST(CryptoRandomTest, Base64CarriesEveryByteAndRefusesWhatIsNotBase64) {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all.push_back(static_cast<char>(byte));
  for (const std::string& bytes : {all, std::string(), std::string("f"), std::string("fo"), std::string("foo")})
    EXPECT_EQ(from_base64(to_base64(bytes)), bytes) << bytes.size();
  EXPECT_EQ(to_base64("foob"), "Zm9vYg==");  // RFC 4648 §10
  EXPECT_EQ(from_base64("Zm9vYg=="), "foob");
  for (const char* bad : {"Zm9vYg", "Zm9v!g==", "Zm9vYg==x", "Zm9v Yg=="})
    EXPECT_EQ(from_base64(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace socrates::host::crypto
