#include "server/commands.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "config/loader.hpp"
#include "server/address.hpp"

namespace r53::server {
namespace {

// `strict`: every warning counts as an error (and reads "error:"), so CI can refuse a config
// that works here but that Route 53 itself would not take.
int report(config::Diagnostics ds, const std::string& what, bool strict) {
    if (strict)
        for (auto& d : ds) d.severity = config::Severity::Error;
    for (const auto& d : ds) std::fprintf(stderr, "%s\n", config::format(d).c_str());
    if (config::has_errors(ds)) {
        size_t errors = 0;
        for (const auto& d : ds) errors += d.severity == config::Severity::Error;
        std::fprintf(stderr, "%s: %zu error%s\n", what.c_str(), errors, errors == 1 ? "" : "s");
        return kExitInvalidConfig;
    }
    if (ds.empty())
        std::printf("%s: OK\n", what.c_str());
    else
        std::printf("%s: OK, %zu warning%s (--strict fails on them)\n", what.c_str(), ds.size(),
                    ds.size() == 1 ? "" : "s");
    return kExitOk;
}

}  // namespace

int run_check(const CliOptions& o) {
    config::LoadOptions lo;
    lo.lenient = o.lenient;
    lo.aws_refusals = true;
    if (o.seed_dir) lo.seed_dir = *o.seed_dir;
    if (o.change_batch)
        return report(config::check_change_batch_file(*o.change_batch, lo), *o.change_batch,
                      o.strict);
    if (o.health_check_config)
        return report(config::check_health_check_config(*o.health_check_config, lo),
                      "HealthCheckConfig", o.strict);
    auto result = config::load_config_file(o.config_path, lo);
    int rc = report(result.diagnostics, o.config_path == "-" ? "stdin" : o.config_path, o.strict);
    if (rc == kExitOk && result.config)
        std::printf("%zu hosted zone(s), %zu health check(s)\n", result.config->zones.size(),
                    result.config->health_checks.size());
    return rc;
}

// Exit 0 iff the server's /readyz says ready: the container HEALTHCHECK needs no curl.
int run_ready(const CliOptions& o) {
    // In the image, R53SIM_DEFAULT_ADMIN=0.0.0.0:8053 is asked on 127.0.0.1:8053 (see below).
    std::string admin =
        o.admin_address.value_or(o.default_admin_address.value_or("127.0.0.1:8053"));
    if (o.ready_file) {
        std::ifstream in(*o.ready_file);
        std::stringstream text;
        text << in.rdbuf();
        boost::system::error_code ec;
        auto v = boost::json::parse(text.str(), ec);
        if (ec || !v.is_object() || !v.as_object().contains("admin")) {
            std::fprintf(stderr, "r53sim ready: no usable ready file at %s\n",
                         o.ready_file->c_str());
            return kExitRuntime;
        }
        admin = std::string(v.as_object().at("admin").as_string());
    }
    auto hp = parse_host_port(admin);
    if (!hp) {
        std::fprintf(stderr, "r53sim ready: bad admin address %s\n", admin.c_str());
        return kExitUsage;
    }
    if (hp->host == "0.0.0.0") hp->host = "127.0.0.1";
    if (hp->host == "::") hp->host = "::1";
    namespace beast = boost::beast;
    namespace http = beast::http;
    try {
        boost::asio::io_context io;
        beast::tcp_stream stream(io);
        stream.expires_after(std::chrono::seconds(3));
        boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address(hp->host), hp->port);
        stream.connect(ep);
        http::request<http::empty_body> req{http::verb::get, "/readyz", 11};
        req.set(http::field::host, admin);
        http::write(stream, req);
        beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(stream, buf, res);
        if (res.result() == http::status::ok) {
            std::printf("ready\n");
            return kExitOk;
        }
        std::fprintf(stderr, "r53sim ready: not ready (%u)\n", res.result_int());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "r53sim ready: %s: %s\n", admin.c_str(), e.what());
    }
    return kExitRuntime;
}

}  // namespace r53::server
