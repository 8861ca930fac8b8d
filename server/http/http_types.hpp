// Request/response types shared by the HTTP server and the admin and Route 53 handlers.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "server/http/json_text.hpp"

namespace r53::server {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// Writes a streamed body (server-sent events) to the connection.
class StreamWriter {
  public:
    virtual ~StreamWriter() = default;
    // False once the peer is gone or stopped reading (the write has a deadline).
    virtual boost::asio::awaitable<bool> write(std::string_view chunk) = 0;
};

// A body produced over time. A handler that sets RouteRequest::stream returns only the head
// (status and headers); the server writes it, runs the stream until it returns or the peer
// closes, then closes the connection.
using ResponseStream = std::function<boost::asio::awaitable<void>(StreamWriter&)>;

struct RouteRequest {
    const HttpRequest& raw;
    std::string path;                          // decoded, without the query
    std::map<std::string, std::string> query;  // decoded query parameters
    ResponseStream* stream = nullptr;          // null where the caller cannot stream
};

using HttpHandler = std::function<boost::asio::awaitable<HttpResponse>(const RouteRequest&)>;

// Every JSON body the admin API sends goes through here, so its numbers print as 100, not 1E2.
inline HttpResponse json_response(http::status status, const boost::json::value& body,
                                  unsigned version = 11) {
    HttpResponse res{status, version};
    res.set(http::field::content_type, "application/json");
    res.body() = to_json_text(body) + "\n";
    res.prepare_payload();
    return res;
}

// The one error shape of the admin API (README "Admin API"): {"error": {"code", "message"}}.
inline boost::json::object json_error_body(const std::string& code, const std::string& message) {
    return {{"error", {{"code", code}, {"message", message}}}};
}

inline HttpResponse json_error(http::status status, const std::string& code,
                               const std::string& message) {
    return json_response(status, json_error_body(code, message));
}

// 405 with the Allow header RFC 9110 asks for; `allow` is like "GET" or "PUT, DELETE".
inline HttpResponse method_not_allowed(const RouteRequest& request, const std::string& allow) {
    auto res = json_error(http::status::method_not_allowed, "MethodNotAllowed",
                          std::string(request.raw.method_string()) + " is not allowed on " +
                              request.path + "; allowed: " + allow);
    res.set(http::field::allow, allow);
    return res;
}

}  // namespace r53::server
