// What happened, for GET /v1/events (server-sent events) and the dashboard's timeline: health
// transitions, snapshot publishes and answer changes, each with an id and a wall-clock time.
// The application publishes; the admin room subscribes and is woken on every new event. Keeps
// the last hour (and at most a fixed count) of events, and a bounded number of subscribers.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace r53::server {

struct Event {
    uint64_t id = 0;   // 1, 2, ... in publish order
    double time = 0;   // unix seconds
    std::string type;  // "health", "publish", "answer"
    std::string data;  // one JSON object
};

class EventFeed {
  public:
    struct Limits {
        size_t max_events = 10'000;
        std::chrono::seconds keep{3600};
        size_t max_subscribers = 32;
    };

    EventFeed() : EventFeed(Limits{}) {}
    explicit EventFeed(Limits limits) : limits_(limits) {}
    EventFeed(const EventFeed&) = delete;
    EventFeed& operator=(const EventFeed&) = delete;

    // Unsubscribes when destroyed.
    class Subscription {
      public:
        Subscription(EventFeed& feed, uint64_t key) : feed_(feed), key_(key) {}
        ~Subscription() { feed_.unsubscribe(key_); }
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;

      private:
        EventFeed& feed_;
        uint64_t key_;
    };

    // Any thread. `data` is a serialized JSON object. Wakes every subscriber.
    uint64_t publish(std::string type, std::string data) {
        const double now =
            std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        std::lock_guard lock(mutex_);
        Event e{++last_id_, now, std::move(type), std::move(data)};
        events_.push_back(std::move(e));
        while (events_.size() > limits_.max_events ||
               (!events_.empty() && events_.front().time < now - limits_.keep.count()))
            events_.pop_front();
        // Wakers only post or signal; they never call back into the feed.
        for (const auto& s : subscribers_) s.wake();
        return last_id_;
    }

    // Events with an id above `after`, oldest first, at most `max`.
    std::vector<Event> since(uint64_t after, size_t max = SIZE_MAX) const {
        std::lock_guard lock(mutex_);
        std::vector<Event> out;
        for (const auto& e : events_) {
            if (e.id <= after) continue;
            if (out.size() >= max) break;
            out.push_back(e);
        }
        return out;
    }

    uint64_t last_id() const {
        std::lock_guard lock(mutex_);
        return last_id_;
    }

    // `wake` runs (on the publishing thread, under the feed's lock) after every publish; keep it
    // short and non-blocking. Null when the subscriber limit is reached.
    std::unique_ptr<Subscription> subscribe(std::function<void()> wake) {
        std::lock_guard lock(mutex_);
        if (subscribers_.size() >= limits_.max_subscribers) return nullptr;
        subscribers_.push_back({++last_key_, std::move(wake)});
        return std::make_unique<Subscription>(*this, last_key_);
    }

    size_t subscribers() const {
        std::lock_guard lock(mutex_);
        return subscribers_.size();
    }

  private:
    struct Subscriber {
        uint64_t key;
        std::function<void()> wake;
    };

    void unsubscribe(uint64_t key) {
        std::lock_guard lock(mutex_);
        std::erase_if(subscribers_, [key](const Subscriber& s) { return s.key == key; });
    }

    const Limits limits_;
    mutable std::mutex mutex_;
    std::deque<Event> events_;
    uint64_t last_id_ = 0;
    std::vector<Subscriber> subscribers_;
    uint64_t last_key_ = 0;
};

}  // namespace r53::server
