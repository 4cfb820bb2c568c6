#include "host/auth/password_hasher.hpp"

#include <crypt.h>
#include <sodium.h>

#include <array>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace socrates::host::auth {
namespace {

// sodium_init() must have completed before any other libsodium call; a function-local static
// makes concurrent first calls safe.
void ensure_sodium() {
  static const int status = sodium_init();
  if (status < 0) throw std::runtime_error("libsodium could not be initialised");
}

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// bcrypt only ever reads the first 72 bytes of a password. Cutting it here keeps crypt_r's own
// passphrase length limit (512 bytes) from refusing long passwords the Python side accepted.
constexpr std::size_t kBcryptMaxPasswordBytes = 72;

// "$2b$" + 2 cost digits + "$" + 22 salt characters + 31 hash characters.
constexpr std::size_t kBcryptHashLength = 60;

bool is_bcrypt_alphabet(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '/';
}

// crypt_r would reject a malformed setting too, but checking the shape first means garbage from
// the database never reaches the C library at all.
bool is_well_formed_bcrypt(const std::string& stored) {
  if (stored.size() != kBcryptHashLength || !PasswordHasher::is_legacy(stored)) return false;
  const char tens = stored[4];
  const char ones = stored[5];
  if (tens < '0' || tens > '3' || ones < '0' || ones > '9' || stored[6] != '$') return false;
  const int cost = (tens - '0') * 10 + (ones - '0');
  if (cost < 4 || cost > 31) return false;
  for (std::size_t i = 7; i < stored.size(); ++i) {
    if (!is_bcrypt_alphabet(stored[i])) return false;
  }
  return true;
}

}  // namespace

PasswordHasher::PasswordHasher() : PasswordHasher(Params{}) {}

PasswordHasher::PasswordHasher(Params params) : params_(params) {
  if (params_.ops_limit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      params_.ops_limit > crypto_pwhash_argon2id_OPSLIMIT_MAX) {
    throw std::invalid_argument("PasswordHasher: ops_limit out of argon2id's range");
  }
  if (params_.mem_limit_bytes < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      params_.mem_limit_bytes > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
    throw std::invalid_argument("PasswordHasher: mem_limit_bytes out of argon2id's range");
  }
  ensure_sodium();
}

std::string PasswordHasher::hash(std::string_view password) const {
  std::array<char, crypto_pwhash_STRBYTES> out{};
  // libsodium must not see a null pointer, which an empty string_view may hold.
  const char* data = password.empty() ? "" : password.data();
  if (crypto_pwhash_str_alg(out.data(), data, password.size(), params_.ops_limit,
                            params_.mem_limit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("argon2id hashing failed (out of memory?)");
  }
  return std::string(out.data());
}

PasswordHasher::Verdict PasswordHasher::verify(std::string_view password,
                                               const std::string& stored) const {
  // c_str() of a value with an embedded NUL would be a different, shorter hash.
  if (stored.empty() || stored.find('\0') != std::string::npos) return Verdict::kMismatch;
  try {
    if (starts_with(stored, "$argon2")) return verify_argon2(password, stored);
    if (is_legacy(stored)) return verify_bcrypt(password, stored);
  } catch (...) {
    // Only allocation can throw here; an unverifiable password is a refused login, not a 500.
  }
  return Verdict::kMismatch;
}

PasswordHasher::Verdict PasswordHasher::verify_argon2(std::string_view password,
                                                      const std::string& stored) const {
  // The length bound is libsodium's own buffer contract for encoded hashes.
  if (stored.size() >= crypto_pwhash_STRBYTES) return Verdict::kMismatch;
  if (!starts_with(stored, crypto_pwhash_argon2id_STRPREFIX) &&
      !starts_with(stored, crypto_pwhash_argon2i_STRPREFIX)) {
    return Verdict::kMismatch;  // argon2d and anything else libsodium cannot verify
  }
  const char* data = password.empty() ? "" : password.data();
  if (crypto_pwhash_str_verify(stored.c_str(), data, password.size()) != 0) {
    return Verdict::kMismatch;
  }
  // 0: same algorithm and limits as ours. 1: argon2i or other limits. -1 cannot follow a
  // successful verification, but a rehash is the safe answer to it as well.
  return crypto_pwhash_str_needs_rehash(stored.c_str(), params_.ops_limit,
                                        params_.mem_limit_bytes) == 0
             ? Verdict::kMatch
             : Verdict::kMatchNeedsRehash;
}

PasswordHasher::Verdict PasswordHasher::verify_bcrypt(std::string_view password,
                                                      const std::string& stored) {
  if (!is_well_formed_bcrypt(stored)) return Verdict::kMismatch;
  // crypt_r takes a C string: a NUL would end the password early and let "abc\0anything" match
  // the hash of "abc". Python's bcrypt and passlib refused such passwords, so none is stored.
  if (password.find('\0') != std::string_view::npos) return Verdict::kMismatch;

  std::string phrase(password.substr(0, kBcryptMaxPasswordBytes));
  // struct crypt_data is ~32 KiB: too big for the stacks of server threads. Value-initialised,
  // as crypt_r requires before its first use.
  auto scratch = std::make_unique<crypt_data>();
  const char* computed = crypt_r(phrase.c_str(), stored.c_str(), scratch.get());

  Verdict verdict = Verdict::kMismatch;
  // On failure libxcrypt returns either NULL or a "*0"/"*1" token that can never equal a hash.
  if (computed != nullptr && computed[0] != '*' && std::strlen(computed) == stored.size() &&
      sodium_memcmp(computed, stored.data(), stored.size()) == 0) {
    verdict = Verdict::kMatchNeedsRehash;
  }
  sodium_memzero(phrase.data(), phrase.size());
  sodium_memzero(scratch.get(), sizeof(crypt_data));
  return verdict;
}

bool PasswordHasher::is_legacy(const std::string& stored) {
  return starts_with(stored, "$2a$") || starts_with(stored, "$2b$") || starts_with(stored, "$2y$");
}

}  // namespace socrates::host::auth
