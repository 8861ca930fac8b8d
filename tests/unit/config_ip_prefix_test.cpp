// The one IP address and CIDR reader of the tree.
#include <gtest/gtest.h>

#include "config/ip_prefix.hpp"

namespace r53::config {
namespace {

TEST(IpPrefix, ReadsAddressesAndPrefixes) {
    auto a = parse_ip_prefix("198.51.100.7");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->family, 4);
    EXPECT_EQ(a->length, 32);
    EXPECT_EQ(a->to_string(), "198.51.100.7");
    auto b = parse_ip_prefix("2001:db8::/32");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->family, 6);
    EXPECT_EQ(b->length, 32);
    EXPECT_EQ(b->to_string(), "2001:db8::/32");
    EXPECT_TRUE(parse_ip_prefix("0.0.0.0/0"));
    EXPECT_TRUE(parse_ip_prefix("::/0"));
    EXPECT_TRUE(parse_ip_prefix("192.0.2.128/25"));
}

TEST(IpPrefix, RefusesHostBitsPastThePrefixAndSaysWhichBlock) {
    std::string error;
    EXPECT_FALSE(parse_ip_prefix("10.0.0.1/24", PrefixForm::AddressOrPrefix, &error));
    EXPECT_EQ(error, "'10.0.0.1/24' has host bits set past /24 (the block is 10.0.0.0/24)");
    EXPECT_FALSE(parse_ip_prefix("192.0.2.129/25", PrefixForm::AddressOrPrefix, &error));
    EXPECT_FALSE(parse_ip_prefix("2001:db8::1/64", PrefixForm::AddressOrPrefix, &error));
    EXPECT_NE(error.find("(the block is 2001:db8::/64)"), std::string::npos) << error;
    EXPECT_FALSE(parse_ip_prefix("1.0.0.0/0"));
}

TEST(IpPrefix, RefusesBadLengthsAndNonAddresses) {
    for (const char* text :
         {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/ 8", "10.0.0.0/0008", "::/129",
          "10.0.0/8", "example.com", "", "/8", "10.0.0.0/8/8", "1.2.3.4 "}) {
        std::string error;
        EXPECT_FALSE(parse_ip_prefix(text, PrefixForm::AddressOrPrefix, &error)) << text;
        EXPECT_FALSE(error.empty()) << text;
    }
}

TEST(IpPrefix, FormsAskForWhatTheFieldTakes) {
    std::string error;
    EXPECT_FALSE(parse_ip_prefix("10.0.0.0", PrefixForm::PrefixOnly, &error));
    EXPECT_NE(error.find("needs a prefix length"), std::string::npos);
    EXPECT_FALSE(parse_ip_prefix("10.0.0.0/8", PrefixForm::AddressOnly, &error));
    EXPECT_TRUE(parse_ip_prefix("10.0.0.0/8", PrefixForm::PrefixOnly));
    EXPECT_TRUE(parse_ip_prefix("::1", PrefixForm::AddressOnly));
}

TEST(IpPrefix, ClearingHostBits) {
    auto a = parse_ip_prefix("198.51.100.77");
    ASSERT_TRUE(a);
    IpPrefix p = *a;
    p.length = 20;
    EXPECT_EQ(without_host_bits(p).to_string(), "198.51.96.0/20");
}

}  // namespace
}  // namespace r53::config
