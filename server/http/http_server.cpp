#include "server/http/http_server.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "server/http/http_types.hpp"
#include "server/log.hpp"

namespace r53::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr size_t kBodyLimit = 8 * 1024 * 1024;  // change batches of 1,000 records fit
constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr auto kStreamWriteTimeout = std::chrono::seconds(10);  // a stalled reader is dropped
// After refusing a request whose body is still arriving, how long the rest is read and dropped,
// so that closing with unread data (a TCP reset) does not destroy the reply before it is read.
constexpr auto kDrainTimeout = std::chrono::seconds(1);
constexpr size_t kDrainLimit = 64 * 1024 * 1024;

}  // namespace

bool split_target(std::string_view target, RouteRequest& out) {
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) return false;
    out.path = std::string(parsed->path());
    for (auto param : parsed->params()) out.query[param.key] = param.value;
    return true;
}

namespace {

class SocketStreamWriter final : public StreamWriter {
  public:
    explicit SocketStreamWriter(beast::tcp_stream& stream) : stream_(stream) {}
    asio::awaitable<bool> write(std::string_view chunk) override {
        stream_.expires_after(kStreamWriteTimeout);
        auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(chunk.data(), chunk.size()),
                                                  use_tuple);
        co_return !ec;
    }

  private:
    beast::tcp_stream& stream_;
};

// Completes when the peer closes (or sends anything: a streaming client has nothing to say).
// Reads the socket itself, beside the stream's timed writes, so no timeout applies to it.
asio::awaitable<void> watch_peer(tcp::socket& socket) {
    char byte;
    co_await socket.async_read_some(asio::buffer(&byte, 1), use_tuple);
}

// The head of a streamed response, then the stream until it ends or the peer leaves.
asio::awaitable<void> serve_stream(beast::tcp_stream& stream, HttpResponse& head,
                                   const ResponseStream& body) {
    using namespace asio::experimental::awaitable_operators;
    head.keep_alive(false);  // the body ends when the connection does
    http::response_serializer<http::string_body> serializer(head);
    stream.expires_after(kIdleTimeout);
    auto [ec, n] = co_await http::async_write_header(stream, serializer, use_tuple);
    if (ec) co_return;
    SocketStreamWriter writer(stream);
    co_await (body(writer) || watch_peer(stream.socket()));
}

HttpResponse default_error(const RouteRequest&, http::status status, const std::string& code,
                           const std::string& message) {
    return json_error(status, code, message);
}

// What a failed read says to the client, if anything: a request the parser refused is answered
// (400, 413, 431); a closed, reset or idle connection is not.
struct ReadRefusal {
    http::status status;
    const char* code;
    std::string message;
};

std::optional<ReadRefusal> refusal_of(const beast::error_code& ec) {
    if (ec == http::error::body_limit)
        return ReadRefusal{http::status::payload_too_large, "RequestTooLarge",
                           "the request body is larger than " +
                               std::to_string(kBodyLimit / (1024 * 1024)) + " MiB"};
    if (ec == http::error::header_limit)
        return ReadRefusal{http::status::request_header_fields_too_large, "HeadersTooLarge",
                           "the request headers are larger than 8 KiB"};
    if (ec.category() == beast::http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message)
        return ReadRefusal{http::status::bad_request, "MalformedRequest",
                           "the request is not valid HTTP/1.1"};
    return std::nullopt;
}

// Reads and drops what the client still sends, for a bounded time and size.
asio::awaitable<void> drain(beast::tcp_stream& stream) {
    stream.expires_after(kDrainTimeout);
    std::array<char, 16 * 1024> sink;
    size_t total = 0;
    while (total < kDrainLimit) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
        if (ec) break;
        total += n;
    }
}

asio::awaitable<HttpResponse> answer(const HttpHandler& handler, const ErrorRenderer& render_error,
                                     const RouteRequest& route) {
    try {
        co_return co_await handler(route);
    } catch (const std::exception& e) {
        log(LogLevel::Error, "http", std::string("request failed: ") + e.what(),
            {{"path", route.path}});
    }
    co_return render_error(route, http::status::internal_server_error, "InternalError",
                           "the server failed to answer this request; its log says why");
}

asio::awaitable<void> serve_connection(const HttpHandler& handler,
                                       const ErrorRenderer& render_error, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(kBodyLimit);
        stream.expires_after(kIdleTimeout);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
        if (ec) {
            // Closed or timed out: nothing more to say. Refused by the parser: say why, once.
            auto refusal = refusal_of(ec);
            if (!refusal) break;
            const HttpRequest& req = parser.get();
            RouteRequest route{req, {}, {}, nullptr};
            // The request line is parsed before the limits apply (a Content-Length over the body
            // limit is refused with the header), so the target says which API it was for.
            if (!req.target().empty()) split_target(req.target(), route);
            HttpResponse res =
                render_error(route, refusal->status, refusal->code, refusal->message);
            res.version(req.version() ? req.version() : 11);
            res.keep_alive(false);
            res.set(http::field::server, "r53sim");
            res.prepare_payload();
            stream.expires_after(kIdleTimeout);
            auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
            if (!wec) {
                beast::error_code ignored;
                stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
                co_await drain(stream);
            }
            co_return;
        }
        const HttpRequest& req = parser.get();
        ResponseStream body;
        RouteRequest route{req, {}, {}, &body};
        HttpResponse res;
        if (!split_target(req.target(), route)) {
            res =
                render_error(route, http::status::bad_request, "MalformedRequest",
                             "cannot parse the request target '" + std::string(req.target()) + "'");
        } else {
            res = co_await answer(handler, render_error, route);
        }
        if (body) {
            res.version(req.version());
            res.set(http::field::server, "r53sim");
            co_await serve_stream(stream, res, body);
            break;
        }
        res.version(req.version());
        res.keep_alive(req.keep_alive());
        res.set(http::field::server, "r53sim");
        res.prepare_payload();
        stream.expires_after(kIdleTimeout);
        auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
        if (wec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

struct HttpServer::Impl {
    HttpHandler handler;
    ErrorRenderer render_error;
    std::string host;
    uint16_t port;
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::vector<std::thread> threads;
    uint16_t bound = 0;

    Impl(HttpHandler f, ErrorRenderer e, std::string h, uint16_t p)
        : handler(std::move(f)),
          render_error(e ? std::move(e) : ErrorRenderer(default_error)),
          host(std::move(h)),
          port(p) {}

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
            if (ec) {
                if (ec == asio::error::operation_aborted) co_return;
                continue;
            }
            // A strand per connection: a streamed response reads and writes the socket from two
            // coroutines, which must not run on the two threads at once.
            asio::co_spawn(asio::make_strand(io),
                           serve_connection(handler, render_error, std::move(socket)),
                           asio::detached);
        }
    }
};

HttpServer::HttpServer(std::string host, uint16_t port, HttpHandler handler,
                       ErrorRenderer render_error)
    : impl_(std::make_unique<Impl>(std::move(handler), std::move(render_error), std::move(host),
                                   port)) {}

HttpServer::~HttpServer() {
    stop();
}

void HttpServer::start() {
    tcp::endpoint ep(asio::ip::make_address(impl_->host), impl_->port);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    impl_->bound = impl_->acceptor.local_endpoint().port();
    asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
    // Two threads: a long /v1/wait or a clock advance never stalls the other requests.
    for (int i = 0; i < 2; ++i) impl_->threads.emplace_back([this] { impl_->io.run(); });
}

void HttpServer::stop() {
    if (!impl_) return;
    impl_->io.stop();
    for (auto& t : impl_->threads)
        if (t.joinable()) t.join();
    impl_->threads.clear();
}

uint16_t HttpServer::bound_port() const {
    return impl_->bound;
}

}  // namespace r53::server
