// Raw bytes -> the admin server's Beast request parser -> the admin and Route 53 REST routes of a
// real App (manual clock, loopback listeners on port 0, a small config whose checks need no
// network, so advancing the clock stays cheap). Handlers must answer
// every request without an exception escaping (one would end the admin server's thread) and
// without a 500 (what the Route 53 REST layer answers when a handler threw).
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <memory>
#include <string>

#include "fuzz_common.hpp"
#include "server/app.hpp"
#include "server/http/http_server.hpp"
#include "server/http/http_types.hpp"
#include "server/log.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using namespace r53::server;

constexpr const char* kConfig = R"(
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         HealthCheckId: hc-primary, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}
      - {Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         TTL: 60, ResourceRecords: [{Value: 192.0.2.2}]}
health_checks:
  hc-primary:
    HealthCheckConfig: {Type: CALCULATED, HealthThreshold: 1, ChildHealthChecks: [hc-alarm]}
  hc-alarm:
    HealthCheckConfig:
      Type: CLOUDWATCH_METRIC
      AlarmIdentifier: {Region: us-east-1, Name: queue-depth-high}
      InsufficientDataHealthStatus: LastKnownStatus
    local: {state: OK}
)";

App& test_app() {
    static std::unique_ptr<App> app = [] {
        std::string path = "/tmp/r53sim-fuzz-admin-" + std::to_string(getpid()) + ".yaml";
        std::ofstream(path) << kConfig;
        CliOptions options;
        options.command = Command::Serve;
        options.config_path = path;
        options.dns_address = "127.0.0.1:0";
        options.admin_address = "127.0.0.1:0";
        options.manual_clock = true;
        options.workers = 1;
        options.log_level = LogLevel::Error;
        auto created = std::make_unique<App>(options);
        FUZZ_CHECK(!created->start());
        return created;
    }();
    return *app;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    App& app = test_app();
    http::request_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    parser.header_limit(1 << 16);
    beast::error_code ec;
    const char* bytes = reinterpret_cast<const char*>(data);
    size_t left = size;
    while (!parser.is_done() && left > 0) {
        const size_t used = parser.put(asio::buffer(bytes, left), ec);
        bytes += used;
        left -= used;
        if (ec == http::error::need_more) {
            ec = {};
            break;
        }
        if (ec) return 0;
        if (used == 0) break;
    }
    if (!parser.is_done()) {
        parser.put_eof(ec);
        if (ec || !parser.is_done()) return 0;
    }
    const HttpRequest& request = parser.get();
    RouteRequest route{request, {}, {}};
    if (!split_target(request.target(), route)) return 0;

    asio::io_context io;
    bool answered = false;
    std::exception_ptr failure;
    asio::co_spawn(io, app.handle_http(route), [&](std::exception_ptr e, HttpResponse response) {
        failure = e;
        answered = true;
        FUZZ_CHECK(response.result_int() >= 100 && response.result_int() < 600);
        // 500 is what the REST layer answers when a handler threw.
        if (response.result_int() == 500) {
            std::fprintf(stderr, "500 answered: %s\n", response.body().c_str());
            std::abort();
        }
    });
    // /v1/wait polls until its timeout: a bounded slice of it is enough.
    io.run_for(std::chrono::milliseconds(200));
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "exception escaped the admin handler: %s\n", e.what());
        }
        std::abort();
    }
    (void)answered;
    return 0;
}
