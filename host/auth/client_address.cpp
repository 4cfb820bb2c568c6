#include "host/auth/client_address.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <stdexcept>

namespace socrates::host::auth {
namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

struct Parsed {
  bool v6 = false;
  std::array<unsigned char, 16> bytes{};
};

// IPv4-mapped IPv6 addresses are the IPv4 address they carry.
std::optional<Parsed> parse_address(const std::string& text) {
  Parsed parsed;
  if (inet_pton(AF_INET, text.c_str(), parsed.bytes.data()) == 1) return parsed;
  if (inet_pton(AF_INET6, text.c_str(), parsed.bytes.data()) != 1) return std::nullopt;
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(parsed.bytes.data(), kMapped, sizeof kMapped) == 0) {
    std::memmove(parsed.bytes.data(), parsed.bytes.data() + 12, 4);
    std::memset(parsed.bytes.data() + 4, 0, 12);
    return parsed;
  }
  parsed.v6 = true;
  return parsed;
}

std::string format(const Parsed& address) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(address.v6 ? AF_INET6 : AF_INET, address.bytes.data(), text, sizeof text);
  return text;
}

}  // namespace

TrustedProxies TrustedProxies::parse(const std::string& text) {
  TrustedProxies proxies;
  std::string entry;
  auto add = [&proxies](const std::string& raw) {
    const std::string item = trim(raw);
    if (item.empty()) return;
    const auto slash = item.find('/');
    const auto address = parse_address(item.substr(0, slash));
    if (!address) throw std::invalid_argument("'" + item + "' is not an IP address or CIDR block");
    Network network;
    network.v6 = address->v6;
    network.bytes = address->bytes;
    const int width = network.v6 ? 128 : 32;
    network.prefix_bits = width;
    if (slash != std::string::npos) {
      const std::string bits = item.substr(slash + 1);
      if (bits.empty() || bits.size() > 3 || bits.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(bits) > width)
        throw std::invalid_argument("'" + item + "' has no valid prefix length (0.." + std::to_string(width) + ")");
      network.prefix_bits = std::stoi(bits);
    }
    proxies.networks_.push_back(network);
  };
  for (char c : text) {
    if (c == ',') {
      add(entry);
      entry.clear();
    } else {
      entry += c;
    }
  }
  add(entry);
  return proxies;
}

bool TrustedProxies::contains(const std::string& text) const {
  const auto address = parse_address(trim(text));
  if (!address) return false;
  for (const auto& network : networks_) {
    if (network.v6 != address->v6) continue;
    const int whole = network.prefix_bits / 8;
    const int rest = network.prefix_bits % 8;
    if (std::memcmp(network.bytes.data(), address->bytes.data(), static_cast<std::size_t>(whole)) != 0) continue;
    if (rest != 0) {
      const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
      if ((network.bytes[static_cast<std::size_t>(whole)] & mask) != (address->bytes[static_cast<std::size_t>(whole)] & mask))
        continue;
    }
    return true;
  }
  return false;
}

std::string resolve_client_address(const std::string& peer, const std::optional<std::string>& forwarded_for,
                                   const TrustedProxies& trusted) {
  const auto parsed_peer = parse_address(trim(peer));
  std::string client = parsed_peer ? format(*parsed_peer) : peer;
  if (!forwarded_for || trusted.empty() || !trusted.contains(client)) return client;

  // Right to left: each entry was appended by the hop in front of the previous one.
  std::vector<std::string> hops;
  std::string hop;
  for (char c : *forwarded_for) {
    if (c == ',') {
      hops.push_back(trim(hop));
      hop.clear();
    } else {
      hop += c;
    }
  }
  hops.push_back(trim(hop));
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    const auto address = parse_address(*it);
    if (!address) break;  // garbage from here on: the last trusted hop is all we know
    client = format(*address);
    if (!trusted.contains(client)) break;
  }
  return client;
}

std::string throttle_key(const std::string& address) {
  const auto parsed = parse_address(trim(address));
  if (!parsed) return address;
  if (!parsed->v6) return format(*parsed);
  Parsed prefix = *parsed;
  std::memset(prefix.bytes.data() + 8, 0, 8);
  return format(prefix) + "/64";
}

}  // namespace socrates::host::auth
