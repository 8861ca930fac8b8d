#include "server/admin/events.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "server/admin/request_checks.hpp"
#include "server/control/control.hpp"

namespace r53::server {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::status;
using Wakeup = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Comments keep proxies and idle peers from dropping the connection, and find dead peers.
constexpr auto kKeepAlive = std::chrono::seconds(15);
constexpr size_t kBatch = 256;  // events per read of the feed

std::optional<uint64_t> parse_id(std::string_view text) {
    uint64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return id;
}

asio::awaitable<void> push_events(EventFeed& feed, std::shared_ptr<EventFeed::Subscription> sub,
                                  std::shared_ptr<Wakeup> wakeup, uint64_t next,
                                  StreamWriter& out) {
    using namespace asio::experimental::awaitable_operators;
    (void)sub;  // held for as long as the stream runs
    // retry: how long a browser's EventSource waits before reconnecting (with Last-Event-ID).
    if (!co_await out.write("retry: 1000\n: r53sim events\n\n")) co_return;
    asio::steady_timer keep_alive(co_await asio::this_coro::executor);
    for (;;) {
        for (;;) {
            auto batch = feed.since(next, kBatch);
            if (batch.empty()) break;
            std::string text;
            for (const auto& e : batch) text += sse_frame(e);
            next = batch.back().id;
            if (!co_await out.write(text)) co_return;
        }
        keep_alive.expires_after(kKeepAlive);
        auto woke = co_await (wakeup->async_receive(use_tuple) || keep_alive.async_wait(use_tuple));
        if (woke.index() == 1 && !co_await out.write(": keep-alive\n\n")) co_return;
    }
}

}  // namespace

std::string sse_frame(const Event& e) {
    // The event's object with its time added; serialized JSON is one line, so one data: line.
    boost::system::error_code ec;
    json::value data = json::parse(e.data, ec);
    if (ec || !data.is_object()) data = json::object{};
    data.as_object()["time"] = e.time;
    return "id: " + std::to_string(e.id) + "\nevent: " + e.type + "\ndata: " + to_json_text(data) +
           "\n\n";
}

asio::awaitable<HttpResponse> handle_events(Control& control, const RouteRequest& r) {
    if (r.raw.method() != http::verb::get) co_return method_not_allowed(r, "GET");
    if (auto bad = unknown_parameter(r, {"since"})) co_return std::move(*bad);
    EventFeed* feed = control.events();
    if (!feed) co_return json_error(status::not_found, "NoEvents", "this server keeps no events");
    if (!r.stream)
        co_return json_error(status::not_acceptable, "NotStreaming", "this caller cannot stream");
    uint64_t next = feed->last_id();
    std::string_view from;
    if (auto it = r.raw.find("Last-Event-ID"); it != r.raw.end())
        from = std::string_view(it->value().data(), it->value().size());
    else if (auto q = r.query.find("since"); q != r.query.end())
        from = q->second;
    if (!from.empty()) {
        auto id = parse_id(from);
        if (!id) co_return json_error(status::bad_request, "BadEventId", "an event id is a number");
        next = *id;
    }
    // The stream's coroutine runs on this connection's strand; the feed wakes it from any thread
    // through a thread-safe channel that holds at most one pending wakeup.
    auto wakeup = std::make_shared<Wakeup>(co_await asio::this_coro::executor, 1);
    std::weak_ptr<Wakeup> weak = wakeup;
    std::shared_ptr<EventFeed::Subscription> sub = feed->subscribe([weak] {
        if (auto w = weak.lock()) w->try_send(boost::system::error_code{});
    });
    if (!sub) {
        auto res = json_error(status::service_unavailable, "TooManySubscribers",
                              "too many event streams are open; try again later");
        res.set(http::field::retry_after, "5");
        co_return res;
    }
    *r.stream = [feed, sub, wakeup, next](StreamWriter& out) {
        return push_events(*feed, sub, wakeup, next, out);
    };
    HttpResponse head{status::ok, r.raw.version()};
    head.set(http::field::content_type, "text/event-stream");
    head.set(http::field::cache_control, "no-store");
    co_return head;
}

HttpResponse handle_event_history(Control& control, const RouteRequest& r) {
    if (r.raw.method() != http::verb::get) return method_not_allowed(r, "GET");
    if (auto bad = unknown_parameter(r, {"since"})) return std::move(*bad);
    EventFeed* feed = control.events();
    if (!feed) return json_error(status::not_found, "NoEvents", "this server keeps no events");
    uint64_t since = 0;
    if (auto q = r.query.find("since"); q != r.query.end()) {
        auto id = parse_id(q->second);
        if (!id) return json_error(status::bad_request, "BadEventId", "since is an event id");
        since = *id;
    }
    json::array events;
    for (const auto& e : feed->since(since)) {
        boost::system::error_code ec;
        json::value data = json::parse(e.data, ec);
        events.push_back({{"id", e.id}, {"time", e.time}, {"type", e.type}, {"data", data}});
    }
    return json_response(status::ok, {{"last_id", feed->last_id()}, {"events", events}});
}

}  // namespace r53::server
