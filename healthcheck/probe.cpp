#include "healthcheck/probe.hpp"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "healthcheck/body_decoder.hpp"

namespace r53::health {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kHeaderLimit = 16384;  // §1.1 (S14)
constexpr size_t kSearchWindow = 5120;  // §1.1

const char* const kFirewallHint =
    "The endpoint or the internet connection is down, or requests are being blocked by your "
    "firewall. See "
    "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/"
    "dns-failover-router-firewall-rules.html";

std::string resolved(const std::string& ip) {
    return " Resolved IP: " + ip;
}

ProbeOutcome fail(std::string text) {
    return {false, std::move(text)};
}

bool is_timeout(const error_code& ec) {
    return ec == beast::error::timeout || ec == asio::error::timed_out;
}

// getaddrinfo cannot be interrupted, so the lookup runs detached and the deadline only decides
// how long this probe waits for it.
asio::awaitable<std::optional<std::string>> resolve_ipv4(std::string host, Duration timeout) {
    auto executor = co_await asio::this_coro::executor;
    struct Lookup {
        explicit Lookup(const asio::any_io_executor& ex) : resolver(ex), timer(ex) {}
        tcp::resolver resolver;
        asio::steady_timer timer;
        std::optional<std::string> ip;
        bool done = false;
    };
    auto lookup = std::make_shared<Lookup>(executor);
    lookup->timer.expires_after(timeout);
    lookup->resolver.async_resolve(
        tcp::v4(), host, "", [lookup](error_code ec, const tcp::resolver::results_type& results) {
            if (!ec) {
                for (const auto& entry : results) {
                    if (entry.endpoint().address().is_v4()) {
                        lookup->ip = entry.endpoint().address().to_string();
                        break;
                    }
                }
            }
            lookup->done = true;
            lookup->timer.cancel();
        });
    co_await lookup->timer.async_wait(use_tuple);
    if (!lookup->done) lookup->resolver.cancel();
    co_return lookup->done ? lookup->ip : std::nullopt;
}

ProbeOutcome connect_failure(const error_code& ec, const std::string& ip) {
    if (is_timeout(ec)) return fail(outcome_text::connection_timed_out(ip));
    if (ec == asio::error::connection_refused) return fail(outcome_text::connection_refused(ip));
    return fail("Failure: Connection failed: " + ec.message() + "." + resolved(ip));
}

ProbeOutcome response_failure(const error_code& ec, const std::string& ip, bool body) {
    if (ec == http::error::header_limit) {
        return fail("Failure: Response headers exceeded 16384 bytes." + resolved(ip));
    }
    if (is_timeout(ec)) {
        return fail(body ? "Failure: Timed out waiting for the response body." + resolved(ip)
                         : "Failure: Timed out waiting for the HTTP status after connecting." +
                               resolved(ip));
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == http::error::partial_message) {
        return fail("Failure: The endpoint closed the connection before sending a complete " +
                    std::string(body ? "body." : "response.") + resolved(ip));
    }
    return fail("Failure: Invalid HTTP response (" + ec.message() + ")." + resolved(ip));
}

// Sends the GET and judges status (and, for *_STR_MATCH, the body) on any stream.
template <class Stream>
asio::awaitable<ProbeOutcome> exchange(Stream& stream, beast::tcp_stream& lowest,
                                       const ProbePlan& plan, const std::string& ip) {
    http::request<http::empty_body> request{http::verb::get, plan.path, 11};
    request.set(http::field::host, plan.host_header);
    request.set(http::field::user_agent, plan.user_agent);
    if (!plan.checker.empty()) request.set("X-R53sim-Checker", plan.checker);
    request.set(http::field::accept, "*/*");
    if (plan.search_string) request.set(http::field::accept_encoding, "gzip, deflate");
    request.set(http::field::connection, "close");
    auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
    (void)written;
    if (write_ec) co_return response_failure(write_ec, ip, false);

    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(boost::none);
    auto [header_ec, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, use_tuple);
    (void)header_bytes;
    if (header_ec) co_return response_failure(header_ec, ip, false);

    const auto& head = parser.get();
    unsigned code = head.result_int();
    std::string reason(head.reason());
    bool status_ok = code >= 200 && code <= 399;
    std::string status_text = outcome_text::http_status(status_ok, code, reason, ip);
    if (!status_ok || !plan.search_string) co_return ProbeOutcome{status_ok, status_text};

    lowest.expires_after(plan.timeouts.body);
    BodyDecoder decoder(BodyDecoder::encoding_of(head[http::field::content_encoding]),
                        kSearchWindow);
    const std::string& needle = *plan.search_string;
    char chunk[4096];
    while (!parser.is_done() && !decoder.full()) {
        parser.get().body().data = chunk;
        parser.get().body().size = sizeof chunk;
        auto [read_ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
        (void)n;
        size_t got = sizeof chunk - parser.get().body().size;
        if (got > 0 && !decoder.feed(std::string_view(chunk, got))) {
            co_return fail("Failure: The response body could not be decoded (Content-Encoding: " +
                           std::string(head[http::field::content_encoding]) + ")." + resolved(ip));
        }
        if (body_contains(decoder.decoded(), needle, kSearchWindow)) {
            co_return ProbeOutcome{true, status_text};
        }
        if (read_ec == http::error::need_buffer) continue;
        if (read_ec) co_return response_failure(read_ec, ip, true);
    }
    if (body_contains(decoder.decoded(), needle, kSearchWindow)) {
        co_return ProbeOutcome{true, status_text};
    }
    co_return fail(
        "Failure: The search string was not found in the first 5120 bytes of the response body." +
        resolved(ip));
}

bool configure_verifying(asio::ssl::context& ctx, const ProbePlan& plan, const std::string& ip) {
    error_code ec;
    ctx.set_verify_mode(asio::ssl::verify_peer, ec);
    if (plan.ca_file) {
        ctx.load_verify_file(*plan.ca_file, ec);
    } else {
        ctx.set_default_verify_paths(ec);
    }
    if (ec) return false;
    ctx.set_verify_callback(asio::ssl::host_name_verification(plan.fqdn.value_or(ip)), ec);
    return !ec;
}

}  // namespace

namespace outcome_text {

std::string http_status(bool ok, unsigned code, const std::string& reason, const std::string& ip) {
    std::string phrase = reason.empty() ? standard_reason(code) : reason;
    return std::string(ok ? "Success" : "Failure") + ": HTTP Status Code " + std::to_string(code) +
           ", " + phrase + "." + resolved(ip);
}

std::string connection_timed_out(const std::string& ip) {
    return std::string("Failure: Connection timed out. ") + kFirewallHint + "." + resolved(ip);
}

std::string connection_refused(const std::string& ip) {
    return std::string("Failure: Connection refused. ") + kFirewallHint + "." + resolved(ip);
}

std::string dns_resolution_failed() {
    return "Failure: DNS resolution failed.";
}

}  // namespace outcome_text

std::string standard_reason(unsigned code) {
    auto phrase = http::obsolete_reason(static_cast<http::status>(code));
    return phrase.empty() ? "Unknown" : std::string(phrase);
}

Prober::Prober() : insecure_(asio::ssl::context::tls_client) {
    insecure_.set_verify_mode(asio::ssl::verify_none);
    // TLS 1.0-1.2 must pass like on AWS (§1.1); OpenSSL 3 refuses them at its default level.
    SSL_CTX_set_min_proto_version(insecure_.native_handle(), TLS1_VERSION);
    SSL_CTX_set_cipher_list(insecure_.native_handle(), "DEFAULT:@SECLEVEL=0");
}

Prober::~Prober() = default;

asio::awaitable<ProbeOutcome> Prober::probe(
    ProbePlan plan, std::shared_ptr<const std::vector<config::EndpointMapping>> endpoints) {
    co_await asio::this_coro::throw_if_cancelled(false);
    auto executor = co_await asio::this_coro::executor;

    // §1.3 target: IPAddress, else FQDN; local.endpoints first (curl --resolve style).
    std::string host = plan.ip ? *plan.ip : plan.fqdn.value_or("");
    std::optional<Destination> destination =
        endpoints ? map_endpoint(*endpoints, host, plan.port) : std::nullopt;
    if (!destination && plan.ip) destination = Destination{*plan.ip, plan.port};
    if (!destination) {
        auto ip = co_await resolve_ipv4(host, plan.timeouts.connect);
        if (!ip) co_return fail(outcome_text::dns_resolution_failed());
        destination = Destination{*ip, plan.port};
    }
    const std::string ip = destination->address;
    error_code address_ec;
    auto address = asio::ip::make_address(ip, address_ec);
    if (address_ec) co_return fail("Failure: Invalid IP address " + ip + ".");
    tcp::endpoint endpoint(address, destination->port);

    // One attempt per SNI choice: HTTPS retries once without SNI when the handshake fails (§1.3).
    std::optional<std::string> sni = plan.sni;
    for (int attempt = 0; attempt < 2; ++attempt) {
        beast::tcp_stream tcp_stream(executor);
        tcp_stream.expires_after(plan.timeouts.connect);
        auto [connect_ec] = co_await tcp_stream.async_connect(endpoint, use_tuple);
        if (connect_ec) co_return connect_failure(connect_ec, ip);
        if (plan.type == config::HealthCheckType::TCP) {
            co_return ProbeOutcome{true, "Success: TCP connection established." + resolved(ip)};
        }
        tcp_stream.expires_after(plan.timeouts.response);
        if (!is_https(plan.type)) {
            co_return co_await exchange(tcp_stream, tcp_stream, plan, ip);
        }

        std::optional<asio::ssl::context> verifying;
        if (plan.verify_certificate) {
            verifying.emplace(asio::ssl::context::tls_client);
            if (!configure_verifying(*verifying, plan, ip)) {
                co_return fail("Failure: TLS/SSL handshake failed (cannot load CA file)." +
                               resolved(ip));
            }
        }
        beast::ssl_stream<beast::tcp_stream&> tls(tcp_stream, verifying ? *verifying : insecure_);
        if (sni && !SSL_set_tlsext_host_name(tls.native_handle(), sni->c_str())) {
            co_return fail("Failure: TLS/SSL handshake failed (invalid SNI name)." + resolved(ip));
        }
        auto [handshake_ec] =
            co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
        if (!handshake_ec) co_return co_await exchange(tls, tcp_stream, plan, ip);
        if (is_timeout(handshake_ec)) {
            co_return fail("Failure: TLS/SSL handshake timed out." + resolved(ip));
        }
        if (!sni) break;
        sni.reset();
    }
    co_return fail("Failure: TLS/SSL handshake failed." + resolved(ip));
}

}  // namespace r53::health
