// GET /v1/queries: the query parameters become the filter the application is asked with, and
// records come back in Route 53's field order.
#include "server/admin/queries_route.hpp"

#include <gtest/gtest.h>

#include "minimal_control.hpp"

namespace r53::server {
namespace {

class QueriesControl final : public testing::MinimalControl {
  public:
    bool off = false;
    mutable std::vector<QueryFilter> asked;
    std::optional<std::vector<QueryRecord>> recent_queries(const QueryFilter& f) const override {
        asked.push_back(f);
        if (off) return std::nullopt;
        QueryRecord r;
        r.time_ns = 1513152962130'000'000;
        r.timestamp = "2017-12-13T08:16:02.130Z";
        r.hosted_zone_id = "Z123412341234";
        r.query_name = "example.com";
        r.query_type = "A";
        r.response_code = "NOERROR";
        r.protocol = "UDP";
        r.edge_location = "LCL1";
        r.resolver_ip = "192.168.1.1";
        r.edns_client_subnet = "-";
        return std::vector<QueryRecord>{r};
    }
};

HttpResponse get(Control& control, std::map<std::string, std::string> query,
                 http::verb method = http::verb::get) {
    HttpRequest raw{method, "/v1/queries", 11};
    RouteRequest route{raw, "/v1/queries", std::move(query)};
    return handle_queries(control, route);
}

TEST(QueriesRoute, PassesTheFilterAndKeepsRoute53Order) {
    QueriesControl control;
    auto res = get(control, {{"name", "Example.com"},
                             {"type", "A"},
                             {"since", "2017-12-13T08:16:02.130Z"},
                             {"limit", "5"}});
    ASSERT_EQ(res.result(), http::status::ok) << res.body();
    ASSERT_EQ(control.asked.size(), 1u);
    EXPECT_EQ(control.asked[0].name, "Example.com");
    EXPECT_EQ(control.asked[0].type, "A");
    EXPECT_EQ(control.asked[0].since_ns, 1513152962130'000'000);
    EXPECT_EQ(control.asked[0].limit, 5u);
    const std::string body = res.body();
    const char* keys[] = {"\"version\"",           "\"query_timestamp\"", "\"hosted_zone_id\"",
                          "\"query_name\"",        "\"query_type\"",      "\"response_code\"",
                          "\"protocol\"",          "\"edge_location\"",   "\"resolver_ip\"",
                          "\"edns_client_subnet\""};
    size_t at = 0;
    for (const char* key : keys) {
        const size_t found = body.find(key, at);
        ASSERT_NE(found, std::string::npos) << key << " out of order in " << body;
        at = found;
    }
}

TEST(QueriesRoute, SinceTakesUnixSecondsToo) {
    QueriesControl control;
    ASSERT_EQ(get(control, {{"since", "1513152962.5"}}).result(), http::status::ok);
    EXPECT_EQ(control.asked.at(0).since_ns, 1513152962'500'000'000);
    EXPECT_EQ(control.asked.at(0).limit, 100u);  // the default
}

TEST(QueriesRoute, RejectsBadParametersAndMethods) {
    QueriesControl control;
    EXPECT_EQ(get(control, {{"since", "soon"}}).result(), http::status::bad_request);
    EXPECT_EQ(get(control, {{"since", "2017-12-13T08:16:02"}}).result(),
              http::status::bad_request);  // no zone: not UTC
    EXPECT_EQ(get(control, {{"limit", "0"}}).result(), http::status::bad_request);
    EXPECT_EQ(get(control, {{"limit", "12x"}}).result(), http::status::bad_request);
    EXPECT_EQ(get(control, {}, http::verb::post).result(), http::status::method_not_allowed);
    EXPECT_TRUE(control.asked.empty());
    control.off = true;
    EXPECT_EQ(get(control, {}).result(), http::status::conflict);
}

}  // namespace
}  // namespace r53::server
