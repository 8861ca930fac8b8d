// The one HTTP/1.1 server (Boost.Beast) on the admin address: parses requests, applies the body
// limit and idle timeout, and hands each request to one handler (App routes /2013-04-01/ to the
// Route 53 API and the rest to the admin API). Loopback by default; never blocks the DNS path.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "server/http/http_types.hpp"

namespace r53::server {

// Splits an origin-form target into its decoded path and query. False when it is not one.
bool split_target(std::string_view target, RouteRequest& out);

// The error the server itself answers (malformed request, body too large, a handler that threw),
// in the shape of the API the request was for. `request.path` is empty when the request line
// could not be read. The default is the admin API's JSON error (json_error).
using ErrorRenderer =
    std::function<HttpResponse(const RouteRequest& request, http::status status,
                               const std::string& code, const std::string& message)>;

class HttpServer {
  public:
    HttpServer(std::string host, uint16_t port, HttpHandler handler,
               ErrorRenderer render_error = {});
    ~HttpServer();
    void start();  // binds (throws std::system_error) and starts its threads
    void stop();
    uint16_t bound_port() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace r53::server
