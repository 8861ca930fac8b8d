#include "healthcheck/http_response.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include "healthcheck/body_decoder.hpp"

namespace r53::health {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

ProbeOutcome failure(const std::string& what, const std::string& ip) {
    return {false, "Failure: " + what + " Resolved IP: " + ip};
}

ProbeOutcome parse_failure(const error_code& ec, const std::string& ip, bool body) {
    if (ec == http::error::header_limit)
        return failure("Response headers exceeded 16384 bytes.", ip);
    if (ec == http::error::partial_message || ec == http::error::need_more)
        return failure(
            std::string("The endpoint closed the connection before sending a complete ") +
                (body ? "body." : "response."),
            ip);
    return failure("Invalid HTTP response (" + ec.message() + ").", ip);
}

}  // namespace

ProbeOutcome classify_http_response(std::string_view bytes, const HttpResponseOptions& options) {
    const std::string& ip = options.ip;
    http::response_parser<http::buffer_body> parser;
    parser.header_limit(kResponseHeaderLimit);
    parser.body_limit(boost::none);
    error_code ec;

    size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec == http::error::need_more) {
        // put_eof requires bytes to have been seen; nothing at all is a closed connection too.
        ec = http::error::partial_message;
        if (parser.got_some()) {
            ec = {};
            parser.put_eof(ec);
            if (!ec && !parser.is_header_done()) ec = http::error::partial_message;
        }
    }
    if (ec) return parse_failure(ec, ip, false);
    if (!parser.is_header_done()) return parse_failure(http::error::partial_message, ip, false);
    bytes.remove_prefix(used);

    const auto& head = parser.get();
    const unsigned code = head.result_int();
    const bool status_ok = code >= 200 && code <= 399;
    std::string status_text =
        outcome_text::http_status(status_ok, code, std::string(head.reason()), ip);
    if (!status_ok || !options.search_string) return {status_ok, status_text};

    BodyDecoder decoder(BodyDecoder::encoding_of(head[http::field::content_encoding]),
                        kBodySearchWindow);
    const std::string& needle = *options.search_string;
    char chunk[4096];
    bool at_eof = false;
    while (!parser.is_done() && !decoder.full()) {
        parser.get().body().data = chunk;
        parser.get().body().size = sizeof chunk;
        ec = {};
        if (!bytes.empty()) {
            used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
            bytes.remove_prefix(used);
        } else if (!at_eof) {
            at_eof = true;
            parser.put_eof(ec);
        } else {
            ec = http::error::partial_message;
        }
        const size_t got = sizeof chunk - parser.get().body().size;
        if (got > 0 && !decoder.feed(std::string_view(chunk, got))) {
            return failure("The response body could not be decoded (Content-Encoding: " +
                               std::string(head[http::field::content_encoding]) + ").",
                           ip);
        }
        if (body_contains(decoder.decoded(), needle, kBodySearchWindow)) return {true, status_text};
        if (ec == http::error::need_buffer) continue;
        // need_more with bytes left cannot happen (one contiguous buffer); at the end it is EOF.
        if (ec == http::error::need_more && !bytes.empty()) return parse_failure(ec, ip, true);
        if (ec == http::error::need_more) continue;
        if (ec) return parse_failure(ec, ip, true);
        if (used == 0 && got == 0 && !bytes.empty()) return parse_failure(ec, ip, true);
    }
    if (body_contains(decoder.decoded(), needle, kBodySearchWindow)) return {true, status_text};
    return failure("The search string was not found in the first 5120 bytes of the response body.",
                   ip);
}

}  // namespace r53::health
