#include "healthcheck/clock.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace r53::health {
namespace {
namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

Sleeper::Sleeper(const asio::any_io_executor& executor, Clock& clock)
    : timer_(executor), clock_(clock) {}

Sleeper::~Sleeper() {
    clock_.forget(*this);
}

void Sleeper::cancel() {
    timer_.cancel();
}

void Sleeper::finish() {
    clock_.forget(*this);
}

asio::awaitable<bool> RealClock::sleep(Sleeper& sleeper, Duration d) {
    sleeper.timer_.expires_after(d);
    auto [ec] = co_await sleeper.timer_.async_wait(use_tuple);
    co_return !ec;
}

void ManualClock::release(Sleeper& sleeper) {
    if (!sleeper.woken_) return;
    sleeper.woken_ = false;
    if (--busy_ == 0 && idle_signal_) idle_signal_->cancel();
}

void ManualClock::forget(Sleeper& sleeper) {
    if (sleeper.registered_) {
        due_.erase(sleeper.entry_);
        sleeper.registered_ = false;
    }
    release(sleeper);
}

asio::awaitable<bool> ManualClock::sleep(Sleeper& sleeper, Duration d) {
    // A busy sleeper counts from the instant it was due: its work took no manual time.
    const Duration from = sleeper.woken_ ? sleeper.due_at_ : now_;
    release(sleeper);
    sleeper.entry_ = due_.emplace(from + d, &sleeper);
    sleeper.registered_ = true;
    sleeper.timer_.expires_at(asio::steady_timer::time_point::max());
    co_await sleeper.timer_.async_wait(use_tuple);
    if (sleeper.registered_) {  // cancelled, not woken
        due_.erase(sleeper.entry_);
        sleeper.registered_ = false;
    }
    co_return sleeper.woken_;
}

asio::awaitable<void> ManualClock::advance(Duration by, const bool& stopping) {
    asio::steady_timer idle(co_await asio::this_coro::executor);
    idle_signal_ = &idle;
    const Duration target = now_ + by;
    while (!stopping) {
        while (busy_ > 0 && !stopping) {
            idle.expires_at(asio::steady_timer::time_point::max());
            co_await idle.async_wait(use_tuple);
        }
        if (stopping || due_.empty() || due_.begin()->first > target) break;
        now_ = std::max(now_, due_.begin()->first);
        // Wake everything due at this instant together; in insertion order, so runs repeat.
        while (!due_.empty() && due_.begin()->first <= now_) {
            Sleeper* sleeper = due_.begin()->second;
            due_.erase(due_.begin());
            sleeper->registered_ = false;
            sleeper->woken_ = true;
            sleeper->due_at_ = now_;
            ++busy_;
            sleeper->timer_.cancel();
        }
    }
    if (!stopping) now_ = std::max(now_, target);
    idle_signal_ = nullptr;
}

std::unique_ptr<Clock> make_clock(const config::ClockSettings& settings) {
    if (settings.mode == config::ClockMode::Manual) return std::make_unique<ManualClock>();
    return std::make_unique<RealClock>();
}

double time_scale(const config::ClockSettings& settings) {
    return settings.mode == config::ClockMode::Scaled && settings.scale > 0 ? settings.scale : 1.0;
}

}  // namespace r53::health
