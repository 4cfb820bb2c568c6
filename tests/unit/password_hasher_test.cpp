#include "host/auth/password_hasher.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace socrates::host::auth {
namespace {

using Verdict = PasswordHasher::Verdict;
using namespace std::string_literals;

// Produced with Python 3.11's crypt module (libxcrypt underneath), the way the Python system's
// bcrypt hashes look:
//   python3 -c "import crypt; print(crypt.crypt('correct horse',
//               crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))"
// (mksalt takes the round count, 2**4, which is cost 04.) The $2a$ and $2y$ variants are the
// same salt with the prefix swapped, hashed again with crypt.crypt.
const std::string kBcrypt2b = "$2b$04$GqDhMZ07P07iDFdoqd1TrODCnkH.IxnWu4miIr8L18Elc/EKopuKS";
const std::string kBcrypt2a = "$2a$04$GqDhMZ07P07iDFdoqd1TrODCnkH.IxnWu4miIr8L18Elc/EKopuKS";
const std::string kBcrypt2y = "$2y$04$GqDhMZ07P07iDFdoqd1TrODCnkH.IxnWu4miIr8L18Elc/EKopuKS";
const std::string kPassword = "correct horse";

// Cheap limits for tests that need "other parameters"; the libsodium minimum is 8 KiB.
constexpr PasswordHasher::Params kCheapParams{1, 8 * 1024 * 1024};

TEST(PasswordHasherTest, VerifiesItsOwnHash) {
  const PasswordHasher hasher;
  const std::string stored = hasher.hash(kPassword);
  EXPECT_EQ(hasher.verify(kPassword, stored), Verdict::kMatch);
  EXPECT_EQ(hasher.verify("correct horsE", stored), Verdict::kMismatch);
  EXPECT_EQ(hasher.verify("", stored), Verdict::kMismatch);
}

TEST(PasswordHasherTest, HashesWithArgon2idAtTheConfiguredCost) {
  const PasswordHasher hasher;
  const std::string stored = hasher.hash(kPassword);
  EXPECT_EQ(stored.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << stored;
  EXPECT_FALSE(PasswordHasher::is_legacy(stored));
}

TEST(PasswordHasherTest, TwoHashesOfOnePasswordDiffer) {
  const PasswordHasher hasher(kCheapParams);
  const std::string first = hasher.hash(kPassword);
  const std::string second = hasher.hash(kPassword);
  EXPECT_NE(first, second);
  EXPECT_EQ(hasher.verify(kPassword, first), Verdict::kMatch);
  EXPECT_EQ(hasher.verify(kPassword, second), Verdict::kMatch);
}

TEST(PasswordHasherTest, HandlesEmptyAndBinaryPasswords) {
  const PasswordHasher hasher(kCheapParams);
  const std::string empty = hasher.hash("");
  EXPECT_EQ(hasher.verify("", empty), Verdict::kMatch);
  EXPECT_EQ(hasher.verify(std::string_view{}, empty), Verdict::kMatch);

  // argon2id takes the password with its length, so bytes after a NUL still count.
  const std::string binary = hasher.hash("abc\0def"s);
  EXPECT_EQ(hasher.verify("abc\0def"s, binary), Verdict::kMatch);
  EXPECT_EQ(hasher.verify("abc", binary), Verdict::kMismatch);
  EXPECT_EQ(hasher.verify("abc\0xyz"s, binary), Verdict::kMismatch);
}

TEST(PasswordHasherTest, Argon2idHashWithOtherParamsNeedsRehash) {
  const PasswordHasher cheap(kCheapParams);
  const PasswordHasher standard;
  const std::string stored = cheap.hash(kPassword);
  EXPECT_EQ(cheap.verify(kPassword, stored), Verdict::kMatch);
  EXPECT_EQ(standard.verify(kPassword, stored), Verdict::kMatchNeedsRehash);
  EXPECT_EQ(standard.verify("wrong horse", stored), Verdict::kMismatch);
}

TEST(PasswordHasherTest, Argon2iHashVerifiesAndNeedsRehash) {
  ASSERT_GE(sodium_init(), 0);
  std::array<char, crypto_pwhash_STRBYTES> out{};
  ASSERT_EQ(crypto_pwhash_str_alg(out.data(), kPassword.data(), kPassword.size(),
                                  crypto_pwhash_argon2i_OPSLIMIT_MIN, 8 * 1024 * 1024,
                                  crypto_pwhash_ALG_ARGON2I13),
            0);
  const std::string stored(out.data());
  ASSERT_EQ(stored.rfind("$argon2i$", 0), 0u);
  const PasswordHasher hasher;
  EXPECT_EQ(hasher.verify(kPassword, stored), Verdict::kMatchNeedsRehash);
  EXPECT_EQ(hasher.verify("wrong horse", stored), Verdict::kMismatch);
}

TEST(PasswordHasherTest, LegacyBcryptHashVerifiesAndNeedsRehash) {
  const PasswordHasher hasher;
  EXPECT_EQ(hasher.verify(kPassword, kBcrypt2b), Verdict::kMatchNeedsRehash);
  EXPECT_EQ(hasher.verify(kPassword, kBcrypt2a), Verdict::kMatchNeedsRehash);
  EXPECT_EQ(hasher.verify(kPassword, kBcrypt2y), Verdict::kMatchNeedsRehash);
}

TEST(PasswordHasherTest, LegacyBcryptHashRefusesWrongPassword) {
  const PasswordHasher hasher;
  EXPECT_EQ(hasher.verify("wrong horse", kBcrypt2b), Verdict::kMismatch);
  EXPECT_EQ(hasher.verify("correct horse ", kBcrypt2b), Verdict::kMismatch);
  EXPECT_EQ(hasher.verify("", kBcrypt2b), Verdict::kMismatch);
}

TEST(PasswordHasherTest, LegacyBcryptRefusesPasswordsWithNul) {
  // crypt_r would stop at the NUL and compare only "correct horse".
  const PasswordHasher hasher;
  EXPECT_EQ(hasher.verify("correct horse\0anything"s, kBcrypt2b), Verdict::kMismatch);
}

TEST(PasswordHasherTest, LegacyBcryptMatchesPublishedVectors) {
  // Test vectors of Openwall's crypt_blowfish, the implementation PHP, Python's bcrypt and
  // libxcrypt share; the second one shows bcrypt ignoring bytes past the 72nd.
  const PasswordHasher hasher;
  EXPECT_EQ(hasher.verify("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
            Verdict::kMatchNeedsRehash);
  const std::string long_password =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are "
      "ignored";
  const std::string long_hash = "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui";
  EXPECT_EQ(hasher.verify(long_password, long_hash), Verdict::kMatchNeedsRehash);
  EXPECT_EQ(hasher.verify(long_password.substr(0, 72), long_hash), Verdict::kMatchNeedsRehash);
  EXPECT_EQ(hasher.verify(long_password.substr(0, 71), long_hash), Verdict::kMismatch);
  // Longer than libxcrypt's 512-byte passphrase limit, still only the first 72 bytes count.
  EXPECT_EQ(hasher.verify(long_password + std::string(1000, 'x'), long_hash),
            Verdict::kMatchNeedsRehash);
}

TEST(PasswordHasherTest, RecognisesLegacyHashes) {
  EXPECT_TRUE(PasswordHasher::is_legacy(kBcrypt2a));
  EXPECT_TRUE(PasswordHasher::is_legacy(kBcrypt2b));
  EXPECT_TRUE(PasswordHasher::is_legacy(kBcrypt2y));
  EXPECT_FALSE(PasswordHasher::is_legacy(""));
  EXPECT_FALSE(PasswordHasher::is_legacy("$2x$04$GqDhMZ07P07iDFdoqd1TrO"));
  EXPECT_FALSE(PasswordHasher::is_legacy("$argon2id$v=19$m=19456,t=2,p=1$"));
  EXPECT_FALSE(PasswordHasher::is_legacy("correct horse"));
}

TEST(PasswordHasherTest, GarbageIsAMismatchNeverACrash) {
  const PasswordHasher hasher;
  std::string wrong_char = kBcrypt2b;
  wrong_char[30] = '!';
  std::string nul_inside = kBcrypt2b;
  nul_inside[20] = '\0';
  const std::vector<std::string> garbage = {
      "",
      "x",
      kPassword,  // a plaintext "hash" must not match its own text
      "$",
      "$2b$",
      "$2b$04$",
      kBcrypt2b.substr(0, kBcrypt2b.size() - 1),
      kBcrypt2b + "A",
      wrong_char,
      nul_inside,
      "$2b$99$GqDhMZ07P07iDFdoqd1TrODCnkH.IxnWu4miIr8L18Elc/EKopuKS",
      "$2b$03$GqDhMZ07P07iDFdoqd1TrODCnkH.IxnWu4miIr8L18Elc/EKopuKS",
      "$2b$4$$GqDhMZ07P07iDFdoqd1TrODCnkH.IxnWu4miIr8L18Elc/EKopuKS",
      "$2x$04$GqDhMZ07P07iDFdoqd1TrODCnkH.IxnWu4miIr8L18Elc/EKopuKS",
      "$2$04$GqDhMZ07P07iDFdoqd1TrODCnkH.IxnWu4miIr8L18Elc/EKopuKS",
      "$argon2",
      "$argon2id$",
      "$argon2id$v=19$m=19456,t=2,p=1$",
      "$argon2id$v=19$m=19456,t=2,p=1$garbage$garbage",
      // Well formed, cheap to compute, but not a hash of anything we know.
      "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
      "$argon2d$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
      std::string(10000, '$'),
      "$argon2id$" + std::string(10000, 'a'),
      "\xff\xfe\x00\x01"s,
  };
  for (const auto& stored : garbage) {
    EXPECT_EQ(hasher.verify(kPassword, stored), Verdict::kMismatch) << stored;
  }
}

TEST(PasswordHasherTest, RefusesOtherCryptSchemesEvenWithTheRightPassword) {
  // Real sha512-crypt and md5-crypt hashes of kPassword (Python's crypt.crypt): crypt_r could
  // verify them, but only bcrypt ever came from the Python system.
  const PasswordHasher hasher;
  EXPECT_EQ(hasher.verify(kPassword,
                          "$6$dw/jQGOrJG5be5Mb$MFORB0yieNlszabXH3XpHDbnlWFUGuDjwql1gPdP/"
                          "hnwf8O71RCoZcSa0X.MB0/3WtNVqHY2tEsm/jf9P.QFC1"),
            Verdict::kMismatch);
  EXPECT_EQ(hasher.verify(kPassword, "$1$iMxcgXLt$epSxHCy2MY9eibfZXb6H//"), Verdict::kMismatch);
}

TEST(PasswordHasherTest, RefusesParamsBelowArgon2Minimums) {
  EXPECT_THROW(PasswordHasher(PasswordHasher::Params{0, 19 * 1024 * 1024}), std::invalid_argument);
  EXPECT_THROW(PasswordHasher(PasswordHasher::Params{2, 1024}), std::invalid_argument);
}

TEST(PasswordHasherTest, OneInstanceServesConcurrentThreads) {
  const PasswordHasher hasher(kCheapParams);
  const std::string argon = hasher.hash(kPassword);
  std::vector<std::thread> threads;
  std::array<int, 4> matches{};
  for (std::size_t t = 0; t < matches.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        matches[t] += hasher.verify(kPassword, kBcrypt2b) == Verdict::kMatchNeedsRehash;
        matches[t] += hasher.verify(kPassword, argon) == Verdict::kMatch;
        matches[t] += hasher.verify("wrong", argon) == Verdict::kMismatch;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const int count : matches) EXPECT_EQ(count, 15);
}

}  // namespace
}  // namespace socrates::host::auth
