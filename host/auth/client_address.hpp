#pragma once
// Whose request is this? The address authentication events are logged and throttled under.
//
// X-Forwarded-For is only a claim, and anyone can send one: it is believed only when the TCP peer
// is a proxy the operator listed in TRUSTED_PROXIES, and then only as far back as the chain of
// trusted proxies goes (read from the right, each hop appended by the proxy in front of it). Without
// TRUSTED_PROXIES the peer address is the client, whatever headers say.

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace socrates::host::auth {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Comma-separated IPv4/IPv6 addresses or CIDR blocks ("10.0.0.0/8, ::1, 192.0.2.7").
  // Throws std::invalid_argument naming the first entry that is neither.
  static TrustedProxies parse(const std::string& text);

  bool contains(const std::string& address) const;
  bool empty() const noexcept { return networks_.empty(); }

 private:
  struct Network {
    bool v6 = false;
    std::array<unsigned char, 16> bytes{};
    int prefix_bits = 0;
  };
  std::vector<Network> networks_;
};

// The client's address: `peer` itself unless `peer` is trusted; then the X-Forwarded-For entries
// from the right, skipping trusted proxies, and the first one that is not trusted is the client.
// An entry that is not an address ends the walk at the last trusted hop. IPv4-mapped IPv6
// addresses ("::ffff:192.0.2.1") are answered as IPv4.
std::string resolve_client_address(const std::string& peer, const std::optional<std::string>& forwarded_for,
                                   const TrustedProxies& trusted);

// The key an address is throttled under: an IPv4 address as it is, an IPv6 address by its /64
// (one subscriber usually holds a whole /64, so counting single IPv6 addresses would count nothing).
// Anything else (a test's "unknown") as it is.
std::string throttle_key(const std::string& address);

}  // namespace socrates::host::auth
