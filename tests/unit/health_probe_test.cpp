// Probe pass/fail rules against real loopback servers (semantics §1.1, §1.3, §1.5, §8 pts 2-6).
#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/asio/co_spawn.hpp>

#include "health_test_server.hpp"
#include "healthcheck/probe.hpp"

namespace r53::health {
namespace {

using config::HealthCheckType;
using testing::http_response;
using testing::Script;
using testing::TestCert;
using testing::TestServer;
using testing::TlsSettings;
using namespace std::chrono_literals;

config::HealthCheck make_check(HealthCheckType type, uint16_t port) {
    config::HealthCheck hc;
    hc.id = "hc-probe";
    hc.config.type = type;
    hc.config.ip_address = "127.0.0.1";
    hc.config.port = port;
    hc.config.resource_path = "/health";
    hc.config.enable_sni =
        type == HealthCheckType::HTTPS || type == HealthCheckType::HTTPS_STR_MATCH;
    hc.local.connect_timeout = config::Seconds(0.3);
    hc.local.response_timeout = config::Seconds(0.3);
    hc.local.body_timeout = config::Seconds(0.3);
    return hc;
}

ProbeOutcome run_probe(const config::HealthCheck& hc,
                       std::vector<config::EndpointMapping> endpoints = {}) {
    boost::asio::io_context io;
    Prober prober;
    std::optional<ProbeOutcome> result;
    auto shared =
        std::make_shared<const std::vector<config::EndpointMapping>>(std::move(endpoints));
    boost::asio::co_spawn(io, prober.probe(plan_probe(hc, 1.0), shared),
                          [&](std::exception_ptr, ProbeOutcome o) { result = std::move(o); });
    io.run();
    if (!result) return {false, "probe did not complete"};
    return *result;
}

// §1.1: 200-399 healthy, everything else unhealthy.
TEST(HealthProbe, StatusCodeEdges) {
    struct Case {
        int code;
        const char* reason;
        bool ok;
    };
    for (const Case& c :
         {Case{199, "Odd", false}, Case{200, "OK", true}, Case{399, "Whatever", true},
          Case{400, "Bad Request", false}, Case{503, "Service Unavailable", false}}) {
        TestServer server(Script{http_response(c.code, c.reason)});
        auto outcome = run_probe(make_check(HealthCheckType::HTTP, server.port()));
        EXPECT_EQ(outcome.ok, c.ok) << c.code << ": " << outcome.status;
        EXPECT_NE(outcome.status.find("HTTP Status Code " + std::to_string(c.code)),
                  std::string::npos)
            << outcome.status;
    }
}

// §1.5 wording.
TEST(HealthProbe, OutcomeTextsUseRoute53Wording) {
    TestServer ok(Script{http_response(200, "OK")});
    EXPECT_EQ(run_probe(make_check(HealthCheckType::HTTP, ok.port())).status,
              "Success: HTTP Status Code 200, OK. Resolved IP: 127.0.0.1");
    TestServer down(Script{http_response(503, "Service Temporarily Unavailable")});
    EXPECT_EQ(run_probe(make_check(HealthCheckType::HTTP, down.port())).status,
              "Failure: HTTP Status Code 503, Service Temporarily Unavailable. Resolved IP: "
              "127.0.0.1");
}

// §8 pt 2: no redirect following; a 3xx is healthy by itself.
TEST(HealthProbe, RedirectIsNotFollowed) {
    TestServer server(
        Script{http_response(302, "Found", "", "Location: http://127.0.0.1:1/x\r\n")});
    auto outcome = run_probe(make_check(HealthCheckType::HTTP, server.port()));
    EXPECT_TRUE(outcome.ok) << outcome.status;
    EXPECT_EQ(server.requests().size(), 1u);
}

// §1.1: the status must arrive within the response timeout after connecting.
TEST(HealthProbe, AcceptAndNeverAnswerTimesOut) {
    TestServer server(Script{.never_answer = true});
    auto outcome = run_probe(make_check(HealthCheckType::HTTP, server.port()));
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.status.rfind("Failure: Timed out waiting for the HTTP status", 0), 0u)
        << outcome.status;
}

TEST(HealthProbe, RefusedConnection) {
    auto outcome = run_probe(make_check(HealthCheckType::HTTP, TestServer::refused_port()));
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.status.rfind("Failure: Connection refused.", 0), 0u) << outcome.status;
    EXPECT_NE(outcome.status.find("Resolved IP: 127.0.0.1"), std::string::npos);
}

// §1.1 / S14: response headers over 16,384 bytes fail.
TEST(HealthProbe, OverLongHeadersFail) {
    std::string big(17000, 'a');
    TestServer server(Script{http_response(200, "OK", "", "X-Padding: " + big + "\r\n")});
    auto outcome = run_probe(make_check(HealthCheckType::HTTP, server.port()));
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.status.rfind("Failure: Response headers exceeded 16384 bytes", 0), 0u)
        << outcome.status;

    std::string fits(15000, 'a');
    TestServer small(Script{http_response(200, "OK", "", "X-Padding: " + fits + "\r\n")});
    EXPECT_TRUE(run_probe(make_check(HealthCheckType::HTTP, small.port())).ok);
}

// §1.3: Host header, path and the Route 53 User-Agent.
TEST(HealthProbe, RequestCarriesHostPathAndUserAgent) {
    TestServer server(Script{http_response(200, "OK")});
    run_probe(make_check(HealthCheckType::HTTP, server.port()));
    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].rfind("GET /health HTTP/1.1\r\n", 0), 0u) << requests[0];
    EXPECT_NE(requests[0].find("Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"),
              std::string::npos)
        << requests[0];
    EXPECT_NE(requests[0].find("User-Agent: Amazon-Route53-Health-Check-Service (ref "),
              std::string::npos)
        << requests[0];
}

// §1.3 FQDN only, reached through local.endpoints like curl --resolve; Host is the bare FQDN on
// port 80.
TEST(HealthProbe, FqdnThroughEndpointMapping) {
    TestServer server(Script{http_response(200, "OK")});
    auto hc = make_check(HealthCheckType::HTTP, 80);
    hc.config.ip_address.reset();
    hc.config.fully_qualified_domain_name = "App.Example.Test";
    config::EndpointMapping mapping{"app.example.test", 80, "127.0.0.1", server.port(), {}};
    auto outcome = run_probe(hc, {mapping});
    EXPECT_TRUE(outcome.ok) << outcome.status;
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_NE(server.requests()[0].find("Host: App.Example.Test\r\n"), std::string::npos)
        << server.requests()[0];
}

TEST(HealthProbe, FqdnResolvedWithTheSystemResolver) {
    TestServer server(Script{http_response(200, "OK")});
    auto hc = make_check(HealthCheckType::HTTP, server.port());
    hc.config.ip_address.reset();
    hc.config.fully_qualified_domain_name = "localhost";
    hc.local.connect_timeout = config::Seconds(2);
    auto outcome = run_probe(hc);
    EXPECT_TRUE(outcome.ok) << outcome.status;
    EXPECT_NE(outcome.status.find("Resolved IP: 127.0.0.1"), std::string::npos) << outcome.status;
}

// §1.3: no A record -> "DNS resolution failed" (.invalid never resolves, RFC 6761).
TEST(HealthProbe, UnresolvableFqdnFails) {
    auto hc = make_check(HealthCheckType::HTTP, 80);
    hc.config.ip_address.reset();
    hc.config.fully_qualified_domain_name = "no-such-host.invalid";
    auto outcome = run_probe(hc);
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.status, "Failure: DNS resolution failed.");
}

// §1.1 TCP: connect only, nothing sent.
TEST(HealthProbe, TcpConnectOkAndRefused) {
    TestServer server(Script{.read_request = false, .stall = true});
    auto ok = run_probe(make_check(HealthCheckType::TCP, server.port()));
    EXPECT_TRUE(ok.ok) << ok.status;
    EXPECT_TRUE(server.requests().empty());
    auto refused = run_probe(make_check(HealthCheckType::TCP, TestServer::refused_port()));
    EXPECT_FALSE(refused.ok);
    EXPECT_EQ(refused.status.rfind("Failure: Connection refused.", 0), 0u) << refused.status;
}

config::HealthCheck str_match(uint16_t port, const std::string& needle) {
    auto hc = make_check(HealthCheckType::HTTP_STR_MATCH, port);
    hc.config.search_string = needle;
    return hc;
}

TEST(HealthProbeStrMatch, FoundCaseSensitively) {
    TestServer server(Script{http_response(200, "OK", "status: READY\n")});
    EXPECT_TRUE(run_probe(str_match(server.port(), "READY")).ok);
    auto miss = run_probe(str_match(server.port(), "ready"));
    EXPECT_FALSE(miss.ok);
    EXPECT_EQ(
        miss.status.rfind("Failure: The search string was not found in the first 5120 bytes", 0),
        0u)
        << miss.status;
}

TEST(HealthProbeStrMatch, BadStatusFailsBeforeTheBody) {
    TestServer server(Script{http_response(500, "Internal Server Error", "READY")});
    auto outcome = run_probe(str_match(server.port(), "READY"));
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.status.rfind("Failure: HTTP Status Code 500", 0), 0u);
}

// §1.1: the string must lie wholly inside the first 5,120 bytes.
TEST(HealthProbeStrMatch, SearchStringStraddlingByte5120) {
    const std::string needle = "NEEDLE";
    std::string ends_inside(5120 - needle.size(), '.');
    ends_inside += needle + std::string(100, '.');
    TestServer inside(Script{http_response(200, "OK", ends_inside)});
    EXPECT_TRUE(run_probe(str_match(inside.port(), needle)).ok);

    std::string straddles(5120 - needle.size() + 1, '.');
    straddles += needle + std::string(100, '.');
    TestServer across(Script{http_response(200, "OK", straddles)});
    EXPECT_FALSE(run_probe(str_match(across.port(), needle)).ok);
}

// §1.1: the body must follow the status within the body timeout.
TEST(HealthProbeStrMatch, HeadersThenStalledBody) {
    std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial";
    TestServer server(Script{.response = head, .stall = true});
    auto outcome = run_probe(str_match(server.port(), "READY"));
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.status.rfind("Failure: Timed out waiting for the response body", 0), 0u)
        << outcome.status;
    // A match already received does not wait for the rest.
    EXPECT_TRUE(run_probe(str_match(server.port(), "partial")).ok);
}

std::string gzip(const std::string& data) {
    z_stream zs{};
    deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(compressBound(data.size()) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

// §1.1: gzip is decoded before searching.
TEST(HealthProbeStrMatch, GzipBodyIsDecoded) {
    std::string body = std::string(3000, 'x') + "READY" + std::string(3000, 'y');
    TestServer server(Script{http_response(200, "OK", gzip(body), "Content-Encoding: gzip\r\n")});
    EXPECT_TRUE(run_probe(str_match(server.port(), "READY")).ok);
    // Past 5,120 decoded bytes even though the compressed body is tiny.
    std::string late = std::string(6000, 'x') + "LATE";
    TestServer late_server(
        Script{http_response(200, "OK", gzip(late), "Content-Encoding: gzip\r\n")});
    EXPECT_FALSE(run_probe(str_match(late_server.port(), "LATE")).ok);
}

// ---- HTTPS (§1.1, §1.3, §8 pt 5) ----

TlsSettings tls(const TestCert& cert) {
    return TlsSettings{cert.cert, cert.key};
}

TEST(HealthProbeTls, SelfSignedCertificatePasses) {
    const auto& cert = TestCert::get();
    TestServer server(Script{http_response(200, "OK")}, tls(cert));
    auto outcome = run_probe(make_check(HealthCheckType::HTTPS, server.port()));
    EXPECT_TRUE(outcome.ok) << outcome.status;
}

TEST(HealthProbeTls, Tls12OnlyServerPasses) {
    const auto& cert = TestCert::get();
    auto settings = tls(cert);
    settings.max_version = TLS1_2_VERSION;
    TestServer server(Script{http_response(200, "OK")}, settings);
    auto outcome = run_probe(make_check(HealthCheckType::HTTPS, server.port()));
    EXPECT_TRUE(outcome.ok) << outcome.status;
}

// §1.1: TLS 1.0 still passes, like on AWS.
TEST(HealthProbeTls, Tls10OnlyServerPasses) {
    const auto& cert = TestCert::get();
    auto settings = tls(cert);
    settings.max_version = TLS1_VERSION;
    TestServer server(Script{http_response(200, "OK")}, settings);
    auto outcome = run_probe(make_check(HealthCheckType::HTTPS, server.port()));
    EXPECT_TRUE(outcome.ok) << outcome.status;
}

TEST(HealthProbeTls, SniIsTheFqdnAndCertificateNameIsNotChecked) {
    const auto& cert = TestCert::get();  // CN=test, the FQDN differs
    TestServer server(Script{http_response(200, "OK")}, tls(cert));
    auto hc = make_check(HealthCheckType::HTTPS, server.port());
    hc.config.fully_qualified_domain_name = "www.example.test";
    auto outcome = run_probe(hc);
    EXPECT_TRUE(outcome.ok) << outcome.status;
    ASSERT_FALSE(server.requests().empty());
    EXPECT_NE(server.requests()[0].find("Host: www.example.test:" + std::to_string(server.port())),
              std::string::npos);
}

// §1.3: a handshake refused for the SNI name is retried once without SNI.
TEST(HealthProbeTls, WrongSniRetriesWithoutSni) {
    const auto& cert = TestCert::get();
    auto settings = tls(cert);
    settings.required_sni = "other.example.test";
    TestServer server(Script{http_response(200, "OK")}, settings);
    auto hc = make_check(HealthCheckType::HTTPS, server.port());
    hc.config.fully_qualified_domain_name = "www.example.test";
    auto outcome = run_probe(hc);
    EXPECT_TRUE(outcome.ok) << outcome.status;
    // First with the FQDN, refused; then without SNI ("").
    EXPECT_EQ(server.sni_names(), (std::vector<std::string>{"www.example.test", ""}));
    EXPECT_EQ(server.connections(), 2);
}

TEST(HealthProbeTls, PlainHttpServerFailsTheHandshake) {
    TestServer server(Script{.response = http_response(200, "OK"), .read_request = false});
    auto outcome = run_probe(make_check(HealthCheckType::HTTPS, server.port()));
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.status.rfind("Failure: TLS/SSL handshake failed", 0), 0u) << outcome.status;
}

// §8 pt 27 opt-in verification: the right CA passes, another CA fails.
TEST(HealthProbeTls, VerifyCertificateWithCaFile) {
    const auto& cert = TestCert::get();
    const auto& other = TestCert::get("other");
    TestServer server(Script{http_response(200, "OK")}, tls(cert));
    auto hc = make_check(HealthCheckType::HTTPS, server.port());
    hc.config.fully_qualified_domain_name = "test";
    hc.local.verify_certificate = true;
    hc.local.ca_file = cert.cert;
    auto good = run_probe(hc);
    EXPECT_TRUE(good.ok) << good.status;
    hc.local.ca_file = other.cert;
    auto bad = run_probe(hc);
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.status.rfind("Failure: TLS/SSL handshake failed", 0), 0u) << bad.status;
}

TEST(HealthProbeTls, HttpsStrMatch) {
    const auto& cert = TestCert::get();
    TestServer server(Script{http_response(200, "OK", "all systems READY")}, tls(cert));
    auto hc = make_check(HealthCheckType::HTTPS_STR_MATCH, server.port());
    hc.config.search_string = "READY";
    EXPECT_TRUE(run_probe(hc).ok);
    hc.config.search_string = "DOWN";
    EXPECT_FALSE(run_probe(hc).ok);
}

}  // namespace
}  // namespace r53::health
