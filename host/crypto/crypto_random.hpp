#pragma once

// Small cryptographic helpers shared by the accounts, the tokens, the migrator and the server: unguessable tokens, digests for storing
// them, ids, a comparison that does not leak where two secrets differ, and base64.
//
// All functions are thread-safe. They initialise libsodium on first use and throw
// std::runtime_error if it cannot be initialised (no usable entropy source: the process cannot
// do authentication at all, so this is not a value to handle per request).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace socrates::host::crypto {

// `bytes` random bytes from the OS CSPRNG, base64url without padding (RFC 4648 §5), so the
// token can travel in URLs, headers and JSON without escaping. 32 bytes → 43 characters.
// Throws std::invalid_argument for bytes == 0: an empty token is always a bug.
std::string random_token(std::size_t bytes = 32);

// SHA-256 of `data`, 64 lower-case hex digits. Refresh tokens are stored as this digest, so a
// leaked database row cannot be replayed.
std::string sha256_hex(std::string_view data);

// A random (version 4, RFC 4122 variant) UUID in canonical lower-case form, as the API's ids are.
std::string new_uuid();

// True when a and b hold the same bytes. The time taken depends on the lengths only, never on
// the contents, so compare secrets of a fixed, public length (digests, MACs) with it.
bool constant_time_equals(std::string_view a, std::string_view b);

// Bytes as base64 (RFC 4648 §4, padded), so that any bytes can travel in a JSON string; and back
// (nullopt for text that is not base64).
std::string to_base64(std::string_view bytes);
std::optional<std::string> from_base64(std::string_view text);

}  // namespace socrates::host::crypto
