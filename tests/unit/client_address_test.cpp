#include "host/auth/client_address.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace socrates::host::auth {
namespace {

TEST(TrustedProxiesTest, MatchesAddressesAndCidrBlocksOfBothFamilies) {
  const auto trusted = TrustedProxies::parse(" 10.0.0.0/8 , 192.0.2.7,2001:db8::/32, ::1");
  EXPECT_TRUE(trusted.contains("10.1.2.3"));
  EXPECT_TRUE(trusted.contains("192.0.2.7"));
  EXPECT_FALSE(trusted.contains("192.0.2.8"));
  EXPECT_FALSE(trusted.contains("11.0.0.1"));
  EXPECT_TRUE(trusted.contains("2001:db8:ffff::1"));
  EXPECT_FALSE(trusted.contains("2001:db9::1"));
  EXPECT_TRUE(trusted.contains("::1"));
  EXPECT_TRUE(trusted.contains("::ffff:10.9.9.9")) << "an IPv4-mapped address is its IPv4 address";
  EXPECT_FALSE(trusted.contains("not an address"));
}

TEST(TrustedProxiesTest, PrefixesThatAreNotWholeBytesCompareOnlyTheirBits) {
  const auto trusted = TrustedProxies::parse("172.16.0.0/12");
  EXPECT_TRUE(trusted.contains("172.16.0.1"));
  EXPECT_TRUE(trusted.contains("172.31.255.255"));
  EXPECT_FALSE(trusted.contains("172.32.0.0"));
  EXPECT_TRUE(TrustedProxies::parse("0.0.0.0/0").contains("203.0.113.1"));
}

TEST(TrustedProxiesTest, EmptyTextTrustsNobody) {
  EXPECT_TRUE(TrustedProxies::parse("").empty());
  EXPECT_TRUE(TrustedProxies::parse(" , ").empty());
  EXPECT_FALSE(TrustedProxies::parse("").contains("127.0.0.1"));
}

TEST(TrustedProxiesTest, RefusesWhatIsNotAnAddressOrABlockNamingIt) {
  for (const char* bad : {"proxy.example.com", "10.0.0.0/33", "::1/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.1/-1"}) {
    try {
      TrustedProxies::parse(std::string("127.0.0.1,") + bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(ResolveClientAddressTest, WithoutTrustedProxiesThePeerIsTheClientWhateverTheHeaderSays) {
  EXPECT_EQ(resolve_client_address("198.51.100.1", std::string("1.2.3.4"), TrustedProxies()), "198.51.100.1");
  EXPECT_EQ(resolve_client_address("198.51.100.1", std::nullopt, TrustedProxies()), "198.51.100.1");
}

TEST(ResolveClientAddressTest, AnUntrustedPeersHeaderIsIgnored) {
  const auto trusted = TrustedProxies::parse("10.0.0.1");
  EXPECT_EQ(resolve_client_address("198.51.100.1", std::string("1.2.3.4"), trusted), "198.51.100.1");
}

TEST(ResolveClientAddressTest, ATrustedPeerIsBelievedForTheLastHop) {
  const auto trusted = TrustedProxies::parse("10.0.0.1");
  EXPECT_EQ(resolve_client_address("10.0.0.1", std::string("203.0.113.9"), trusted), "203.0.113.9");
  // The client may put anything on the left; only what the trusted proxy appended counts.
  EXPECT_EQ(resolve_client_address("10.0.0.1", std::string("6.6.6.6, 203.0.113.9"), trusted), "203.0.113.9");
  // Without a header the trusted proxy itself is all we know.
  EXPECT_EQ(resolve_client_address("10.0.0.1", std::nullopt, trusted), "10.0.0.1");
  EXPECT_EQ(resolve_client_address("10.0.0.1", std::string(""), trusted), "10.0.0.1");
}

TEST(ResolveClientAddressTest, AChainOfTrustedProxiesIsWalkedFromTheRight) {
  const auto trusted = TrustedProxies::parse("10.0.0.0/8");
  EXPECT_EQ(resolve_client_address("10.0.0.1", std::string("6.6.6.6, 203.0.113.9, 10.2.2.2, 10.3.3.3"), trusted),
            "203.0.113.9");
  // Every hop trusted: the leftmost is the client.
  EXPECT_EQ(resolve_client_address("10.0.0.1", std::string("10.4.4.4,10.5.5.5"), trusted), "10.4.4.4");
}

TEST(ResolveClientAddressTest, GarbageInTheHeaderStopsAtTheLastTrustedHop) {
  const auto trusted = TrustedProxies::parse("10.0.0.0/8");
  EXPECT_EQ(resolve_client_address("10.0.0.1", std::string("203.0.113.9, unknown"), trusted), "10.0.0.1");
  EXPECT_EQ(resolve_client_address("10.0.0.1", std::string("junk, 10.2.2.2"), trusted), "10.2.2.2");
}

TEST(ResolveClientAddressTest, IPv6AndMappedAddressesAreNormalised) {
  const auto trusted = TrustedProxies::parse("::1");
  EXPECT_EQ(resolve_client_address("::1", std::string("2001:DB8:0:0::7"), trusted), "2001:db8::7");
  EXPECT_EQ(resolve_client_address("::ffff:198.51.100.4", std::nullopt, trusted), "198.51.100.4");
}

TEST(ThrottleKeyTest, IPv4AsItIsAndIPv6ByItsSlash64) {
  EXPECT_EQ(throttle_key("198.51.100.4"), "198.51.100.4");
  EXPECT_EQ(throttle_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(throttle_key("2001:db8:1:2::9"), throttle_key("2001:db8:1:2:ffff::1"));
  EXPECT_NE(throttle_key("2001:db8:1:2::9"), throttle_key("2001:db8:1:3::9"));
  EXPECT_EQ(throttle_key("::ffff:198.51.100.4"), "198.51.100.4");
  EXPECT_EQ(throttle_key("unknown"), "unknown");
}

}  // namespace
}  // namespace socrates::host::auth
