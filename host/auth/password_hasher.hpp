#pragma once

// Password storage: argon2id (libsodium) for every new hash, plus verification of the bcrypt
// hashes inherited from the Python system, so those users can log in once and be rehashed.
//
// A PasswordHasher holds only its parameters: share one instance between threads freely.

#include <cstddef>
#include <string>
#include <string_view>

namespace socrates::host::auth {

class PasswordHasher {
 public:
  struct Params {
    // OWASP's minimum for argon2id (t=2, m=19 MiB, p=1). Measured on this machine (Debian 12,
    // 2 shared cores, libsodium 1.0.18, RelWithDebInfo, medians of 20): hash() 22-29 ms and
    // verify() 22-29 ms while other builds kept both cores busy (STACK_NOTES: ≈15 ms idle); a
    // legacy bcrypt cost-12 verify costs ≈245 ms. Each concurrent call holds mem_limit_bytes
    // of RAM, so logins must run on a bounded pool. Raising either limit makes every login
    // slower; existing hashes keep verifying and report kMatchNeedsRehash.
    unsigned long long ops_limit = 2;
    std::size_t mem_limit_bytes = 19 * 1024 * 1024;
  };

  enum class Verdict {
    kMismatch,
    kMatch,
    // The password is right but the stored hash is legacy (bcrypt) or made with other argon2
    // parameters: store hash(password) in its place while the plaintext is at hand.
    kMatchNeedsRehash,
  };

  // Initialises libsodium. Throws std::invalid_argument when the limits are below libsodium's
  // argon2id minimums, std::runtime_error when libsodium cannot be initialised.
  PasswordHasher();
  explicit PasswordHasher(Params params);

  // A self-describing "$argon2id$v=19$m=...,t=...,p=1$salt$hash" string with a fresh random salt.
  // Throws std::runtime_error when the hash cannot be computed (out of memory).
  std::string hash(std::string_view password) const;

  // Never throws for any `stored` value: empty, unknown schemes and garbage are kMismatch.
  // Legacy bcrypt hashes are checked as Python's bcrypt/passlib made them: only the first 72
  // bytes of the password count, and a password containing NUL never matches (those libraries
  // refused such passwords, and crypt(3) would silently cut them short).
  Verdict verify(std::string_view password, const std::string& stored) const;

  // True for bcrypt hashes ("$2a$", "$2b$", "$2y$"), i.e. ones from the Python system.
  static bool is_legacy(const std::string& stored);

  const Params& params() const { return params_; }

 private:
  Verdict verify_argon2(std::string_view password, const std::string& stored) const;
  static Verdict verify_bcrypt(std::string_view password, const std::string& stored);

  Params params_;
};

}  // namespace socrates::host::auth
