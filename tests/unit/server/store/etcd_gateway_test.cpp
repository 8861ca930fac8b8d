// The pure parts of the etcd gateway client: the --store URL and the gateway's base64 and int64.
#include "server/store/etcd_gateway.hpp"

#include <gtest/gtest.h>

namespace r53::server::etcd {
namespace {

TEST(EtcdUrl, EndpointsPrefixAndLeaseTtl) {
    std::string error;
    auto s = parse_url("etcd://127.0.0.1:2379,etcd-2:32379/r53sim/staging/?lease_ttl=2", error);
    ASSERT_TRUE(s) << error;
    ASSERT_EQ(s->endpoints.size(), 2u);
    EXPECT_EQ(s->endpoints[0].host, "127.0.0.1");
    EXPECT_EQ(s->endpoints[0].port, 2379);
    EXPECT_EQ(s->endpoints[1].host, "etcd-2");
    EXPECT_EQ(s->endpoints[1].port, 32379);
    EXPECT_EQ(s->prefix, "/r53sim/staging");
    EXPECT_EQ(s->lease_ttl, 2);

    auto v6 = parse_url("etcd://[::1]:2379/p", error);
    ASSERT_TRUE(v6) << error;
    EXPECT_EQ(v6->endpoints[0].host, "::1");
    EXPECT_EQ(v6->lease_ttl, 5);
}

TEST(EtcdUrl, RejectsWhatCannotWork) {
    std::string error;
    for (const char* bad :
         {"http://127.0.0.1:2379/p", "etcd://127.0.0.1:2379", "etcd://127.0.0.1:2379/",
          "etcd://127.0.0.1/p", "etcd://127.0.0.1:99999/p", "etcd://a:1,,b:2/p",
          "etcd://a:1/p?lease_ttl=0", "etcd://a:1/p?ttl=5"}) {
        error.clear();
        EXPECT_FALSE(parse_url(bad, error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
}

TEST(EtcdBase64, RoundTripsEveryLength) {
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode(""), "");
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
    for (size_t n = 0; n <= bytes.size(); n += 7) {
        auto text = base64_encode(bytes.substr(0, n));
        EXPECT_EQ(base64_decode(text), bytes.substr(0, n)) << n;
    }
    EXPECT_FALSE(base64_decode("Zm9v!"));
}

TEST(EtcdJson, Int64FieldsAreStringsAndZeroIsLeftOut) {
    auto o = boost::json::parse(R"({"header":{"revision":"42"},"count":7,"kvs":[]})").as_object();
    EXPECT_EQ(header_revision(o), 42);
    EXPECT_EQ(int_field(o, "count"), 7);
    EXPECT_EQ(int_field(o, "missing"), 0);
    boost::json::object kv{{"key", base64_encode("/p/zones/Z1")}, {"value", base64_encode("{}")}};
    EXPECT_EQ(kv_key(kv), "/p/zones/Z1");
    EXPECT_EQ(kv_value(kv), "{}");
}

}  // namespace
}  // namespace r53::server::etcd
