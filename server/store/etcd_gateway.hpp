// A client of etcd v3's HTTP/JSON gateway (/v3/kv/range, /v3/kv/txn, /v3/watch, /v3/lease/...)
// on Boost.Beast. The gateway speaks protobuf's JSON mapping: keys and values are base64, int64
// fields are strings, and zero values are left out.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace r53::server::etcd {

struct Endpoint {
    std::string host;
    uint16_t port = 0;
};

// --store etcd://HOST:PORT[,HOST:PORT...]/PREFIX[?lease_ttl=SECONDS]
struct Settings {
    std::vector<Endpoint> endpoints;
    std::string prefix;  // without a trailing slash; every key is PREFIX + "/" + ...
    int lease_ttl = 5;   // seconds: replica registrations and the probe lease
};
std::optional<Settings> parse_url(const std::string& url, std::string& error);

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

// An int64 field of a gateway reply: a JSON string (or number); 0 when left out.
int64_t int_field(const boost::json::object& o, const char* key);
// The header's revision of a reply.
int64_t header_revision(const boost::json::object& reply);
// The (decoded) key and value of a KeyValue.
std::string kv_key(const boost::json::object& kv);
std::string kv_value(const boost::json::object& kv);

struct Reply {
    bool ok = false;       // etcd answered 200 with a JSON object
    bool reached = false;  // some endpoint answered at all (an error status is still an answer)
    boost::json::object body;
    std::string error;  // when not ok: what went wrong, for logs and replies
};

using Timeout = std::chrono::milliseconds;

class Gateway {
  public:
    explicit Gateway(std::vector<Endpoint> endpoints);

    // POSTs `body` to `path` on the first endpoint that answers, starting with the last one that
    // did. `timeout` bounds each endpoint's connect, request and reply together.
    boost::asio::awaitable<Reply> post(std::string path, boost::json::object body, Timeout timeout);
    // The same from a thread that is not running an io_context (a Route 53 API handler).
    Reply post_blocking(std::string path, boost::json::object body, Timeout timeout);

    // One /v3/watch stream. `on_message` receives each message's "result" object and returns
    // false to end the stream. Returns why the stream ended. `cancel` (set while running) closes
    // the stream from the io_context's thread.
    struct Watch {
        std::function<void()> cancel = [] {};
    };
    boost::asio::awaitable<std::string> watch(boost::json::object create_request,
                                              std::function<bool(boost::json::object&)> on_message,
                                              std::shared_ptr<Watch> handle, Timeout connect);

  private:
    std::vector<Endpoint> endpoints_;
    std::atomic<size_t> preferred_{0};
};

}  // namespace r53::server::etcd
