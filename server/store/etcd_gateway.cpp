#include "server/store/etcd_gateway.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>

namespace r53::server::etcd {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr size_t kReplyLimit = 256 * 1024 * 1024;  // a whole-state range of a large prefix
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::optional<Endpoint> parse_endpoint(const std::string& text) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return std::nullopt;
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    std::string port = text.substr(colon + 1);
    if (port.empty() || port.size() > 5) return std::nullopt;
    for (char c : port)
        if (c < '0' || c > '9') return std::nullopt;
    int n = std::atoi(port.c_str());
    if (n < 1 || n > 65535) return std::nullopt;
    return Endpoint{host, static_cast<uint16_t>(n)};
}

// Connects to the first endpoint that accepts, starting at `start`; sets `index` to it.
asio::awaitable<std::string> connect_any(beast::tcp_stream& stream,
                                         const std::vector<Endpoint>& endpoints, size_t start,
                                         size_t& index) {
    auto executor = co_await asio::this_coro::executor;
    std::string error = "no etcd endpoint";
    for (size_t i = 0; i < endpoints.size(); ++i) {
        index = (start + i) % endpoints.size();
        const auto& ep = endpoints[index];
        tcp::resolver resolver(executor);
        auto [rec, results] =
            co_await resolver.async_resolve(ep.host, std::to_string(ep.port), use_tuple);
        if (rec) {
            error = ep.host + ": " + rec.message();
            continue;
        }
        auto [cec, connected] = co_await stream.async_connect(results, use_tuple);
        if (!cec) co_return std::string();
        error = ep.host + ":" + std::to_string(ep.port) + ": " + cec.message();
        beast::error_code ignored;
        stream.socket().close(ignored);
    }
    co_return error;
}

http::request<http::string_body> make_request(const std::string& path, const Endpoint& ep,
                                              std::string body) {
    http::request<http::string_body> req{http::verb::post, path, 11};
    req.set(http::field::host, ep.host + ":" + std::to_string(ep.port));
    req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
}

// An error reply of the gateway: {"error": "...", "code": N, "message": "..."}.
std::string error_text(const http::response<http::string_body>& res) {
    std::string text = "etcd answered " + std::to_string(res.result_int());
    boost::system::error_code ec;
    auto v = json::parse(res.body(), ec);
    if (!ec && v.is_object())
        if (auto* m = v.as_object().if_contains("message"); m && m->is_string())
            return text + ": " + std::string(m->as_string());
    return text;
}

}  // namespace

std::optional<Settings> parse_url(const std::string& url, std::string& error) {
    const std::string scheme = "etcd://";
    if (url.rfind(scheme, 0) != 0) {
        error = "--store must be etcd://HOST:PORT[,HOST:PORT...]/PREFIX";
        return std::nullopt;
    }
    std::string rest = url.substr(scheme.size());
    std::string query;
    if (auto q = rest.find('?'); q != std::string::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    auto slash = rest.find('/');
    if (slash == std::string::npos || slash + 1 >= rest.size()) {
        error = "--store etcd://...: a PREFIX after the endpoints is required";
        return std::nullopt;
    }
    Settings s;
    s.prefix = "/" + rest.substr(slash + 1);
    while (s.prefix.size() > 1 && s.prefix.back() == '/') s.prefix.pop_back();
    std::string hosts = rest.substr(0, slash);
    size_t start = 0;
    while (start <= hosts.size()) {
        size_t comma = hosts.find(',', start);
        if (comma == std::string::npos) comma = hosts.size();
        auto ep = parse_endpoint(hosts.substr(start, comma - start));
        if (!ep) {
            error =
                "--store etcd://...: '" + hosts.substr(start, comma - start) + "' is not HOST:PORT";
            return std::nullopt;
        }
        s.endpoints.push_back(*ep);
        start = comma + 1;
    }
    if (!query.empty()) {
        const std::string ttl = "lease_ttl=";
        char* end = nullptr;
        long n = query.rfind(ttl, 0) == 0 ? std::strtol(query.c_str() + ttl.size(), &end, 10) : 0;
        if (!end || *end != '\0' || n < 1 || n > 3600) {
            error = "--store etcd://...?" + query + ": the only option is lease_ttl=1..3600";
            return std::nullopt;
        }
        s.lease_ttl = static_cast<int>(n);
    }
    return s;
}

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        uint32_t n =
            (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
        for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(n >> shift) & 63];
    }
    if (i + 1 == bytes.size()) {
        uint32_t n = uint8_t(bytes[i]) << 16;
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += "==";
    } else if (i + 2 == bytes.size()) {
        uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size() / 4 * 3);
    uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        if (c == '=') break;
        const char* p = std::char_traits<char>::find(kAlphabet, 64, c);
        if (!p) return std::nullopt;
        acc = (acc << 6) | static_cast<uint32_t>(p - kAlphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}

int64_t int_field(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    if (!v) return 0;
    if (v->is_string()) return std::strtoll(v->as_string().c_str(), nullptr, 10);
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
    return 0;
}

int64_t header_revision(const json::object& reply) {
    auto* h = reply.if_contains("header");
    return h && h->is_object() ? int_field(h->as_object(), "revision") : 0;
}

namespace {
std::string decoded(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return {};
    return base64_decode(v->as_string()).value_or(std::string());
}
}  // namespace

std::string kv_key(const json::object& kv) {
    return decoded(kv, "key");
}

std::string kv_value(const json::object& kv) {
    return decoded(kv, "value");
}

Gateway::Gateway(std::vector<Endpoint> endpoints) : endpoints_(std::move(endpoints)) {}

asio::awaitable<Reply> Gateway::post(std::string path, json::object body, Timeout timeout) {
    auto executor = co_await asio::this_coro::executor;
    Reply out;
    beast::tcp_stream stream(executor);
    stream.expires_after(timeout);
    size_t index = 0;
    out.error = co_await connect_any(stream, endpoints_, preferred_.load(), index);
    if (!out.error.empty()) co_return out;
    preferred_ = index;
    // Once the request is on its way it is not sent elsewhere: a transaction that reached etcd
    // must not be applied twice.
    auto req = make_request(path, endpoints_[index], json::serialize(body));
    auto [wec, written] = co_await http::async_write(stream, req, use_tuple);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kReplyLimit);
    auto [rec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (wec || rec) {
        out.error = "etcd " + path + ": " + (wec ? wec : rec).message();
        co_return out;
    }
    out.reached = true;
    const auto& res = parser.get();
    if (res.result() != http::status::ok) {
        out.error = error_text(res);
        co_return out;
    }
    boost::system::error_code pec;
    auto v = json::parse(res.body(), pec);
    if (pec || !v.is_object()) {
        out.error = "etcd " + path + ": the reply is not a JSON object";
        co_return out;
    }
    out.body = std::move(v.as_object());
    out.ok = true;
    co_return out;
}

Reply Gateway::post_blocking(std::string path, json::object body, Timeout timeout) {
    asio::io_context io;
    auto result =
        asio::co_spawn(io, post(std::move(path), std::move(body), timeout), asio::use_future);
    io.run();
    return result.get();
}

asio::awaitable<std::string> Gateway::watch(json::object create_request,
                                            std::function<bool(json::object&)> on_message,
                                            std::shared_ptr<Watch> handle, Timeout connect) {
    auto executor = co_await asio::this_coro::executor;
    beast::tcp_stream stream(executor);
    handle->cancel = [&stream] {
        beast::error_code ignored;
        stream.socket().close(ignored);
    };
    struct Reset {
        Watch& w;
        ~Reset() {
            w.cancel = [] {};
        }
    } reset{*handle};

    stream.expires_after(connect);
    size_t index = 0;
    std::string error = co_await connect_any(stream, endpoints_, preferred_.load(), index);
    if (!error.empty()) co_return error;
    preferred_ = index;
    auto req = make_request("/v3/watch", endpoints_[index],
                            json::serialize(json::object{{"create_request", create_request}}));
    auto [wec, written] = co_await http::async_write(stream, req, use_tuple);
    if (wec) co_return "etcd /v3/watch: " + wec.message();

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    std::string pending;
    auto on_chunk = [&pending](std::uint64_t, beast::string_view body, beast::error_code&) {
        pending.append(body.data(), body.size());
        return body.size();
    };
    parser.on_chunk_body(on_chunk);
    auto [hec, header] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    if (hec) co_return "etcd /v3/watch: " + hec.message();
    if (parser.get().result() != http::status::ok)
        co_return "etcd /v3/watch: answered " + std::to_string(parser.get().result_int());
    stream.expires_never();  // a watch is quiet while nothing changes; the lease loop notices loss
    for (;;) {
        // Each message is one JSON object followed by a newline.
        size_t newline;
        while ((newline = pending.find('\n')) != std::string::npos) {
            std::string line = pending.substr(0, newline);
            pending.erase(0, newline + 1);
            if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
            boost::system::error_code pec;
            auto v = json::parse(line, pec);
            if (pec || !v.is_object()) co_return "etcd /v3/watch: a message is not JSON";
            auto& o = v.as_object();
            if (auto* e = o.if_contains("error"))
                co_return "etcd /v3/watch: " + json::serialize(*e);
            auto* result = o.if_contains("result");
            if (!result || !result->is_object()) continue;
            if (!on_message(result->as_object())) co_return "stopped";
        }
        if (parser.is_done()) co_return "etcd closed the watch";
        auto [rec, n] = co_await http::async_read_some(stream, buffer, parser, use_tuple);
        if (rec) co_return "etcd /v3/watch: " + rec.message();
    }
}

}  // namespace r53::server::etcd
