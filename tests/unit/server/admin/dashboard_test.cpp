// The dashboard's files are served from the binary with a strict policy, and the branch taken is
// read back from explain() traces, nested aliases included.
#include "server/admin/dashboard.hpp"

#include <gtest/gtest.h>

#include "server/admin/answers_route.hpp"
#include "server/admin/dashboard_assets.hpp"

namespace r53::server {
namespace {

std::optional<HttpResponse> serve(const std::string& path, http::verb method = http::verb::get) {
    HttpRequest raw{method, path, 11};
    RouteRequest route{raw, path, {}};
    return handle_dashboard(route);
}

TEST(Dashboard, ServesTheEmbeddedPageAndFiles) {
    std::vector<std::string> names;
    for (const auto& a : dashboard_assets()) names.push_back(a.name);
    EXPECT_EQ(names, (std::vector<std::string>{"dashboard.css", "dashboard.js", "index.html"}));

    auto index = serve("/");
    ASSERT_TRUE(index);
    EXPECT_EQ(index->result(), http::status::ok);
    EXPECT_EQ(index->at(http::field::content_type), "text/html; charset=utf-8");
    EXPECT_NE(index->body().find("/dashboard/dashboard.js"), std::string::npos);
    EXPECT_NE(index->at("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
    EXPECT_EQ(index->at("X-Content-Type-Options"), "nosniff");

    auto script = serve("/dashboard/dashboard.js");
    ASSERT_TRUE(script);
    EXPECT_EQ(script->at(http::field::content_type), "text/javascript; charset=utf-8");
    EXPECT_NE(script->body().find("new EventSource(\"/v1/events"), std::string::npos);

    auto head = serve("/dashboard/dashboard.css", http::verb::head);
    ASSERT_TRUE(head);
    EXPECT_TRUE(head->body().empty());
    EXPECT_NE(head->at(http::field::content_length), "0");

    EXPECT_EQ(serve("/", http::verb::post)->result(), http::status::method_not_allowed);
    EXPECT_FALSE(serve("/dashboard/missing.js"));
    EXPECT_FALSE(serve("/v1/anything"));
}

TEST(ChosenInTrace, FollowsNestedAliasesAndFailedBranches) {
    // A failover primary aliased to a weighted group whose first pick is unhealthy.
    std::vector<std::string> trace = {
        "zone example.com. (Z1)",
        "record group app.example.com. A (failover, 2 records)",
        "failover: candidate 'primary', no health check",
        "alias to pool.example.com. A (weighted, EvaluateTargetHealth=true)",
        "  weighted: candidate 'a', health check hc-a unhealthy",  // nested steps are indented
        "  dropped 'a', picking again",
        "  weighted: candidate 'b', health check hc-b healthy",
        "  chose 'b'",
        "chose 'primary'",
    };
    auto chosen = chosen_in_trace(trace);
    EXPECT_EQ(chosen, (std::vector<std::pair<std::string, std::string>>{
                          {"pool.example.com. A", "b"}, {"app.example.com. A", "primary"}}));

    std::vector<std::string> failed_branch = {
        "record group app.example.com. A (failover, 2 records)",
        "failover: candidate 'primary', no health check",
        "alias to pool.example.com. A (weighted, EvaluateTargetHealth=true)",
        "alias target has no healthy record: branch unhealthy",
        "dropped 'primary', picking again",
        "failover: candidate 'secondary', no health check",
        "alias to AWS target lb.amazonaws.com.: healthy",
        "chose 'secondary' (fail-open)",
    };
    EXPECT_EQ(
        chosen_in_trace(failed_branch),
        (std::vector<std::pair<std::string, std::string>>{{"app.example.com. A", "secondary"}}));
}

}  // namespace
}  // namespace r53::server
