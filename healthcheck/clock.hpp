// The engine's notion of time. Every engine timer sleeps through a Clock, so the manual clock can
// drive the whole fleet deterministically (semantics §8 points 28-29).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>

#include "config/model.hpp"
#include "healthcheck/target.hpp"

namespace r53::health {

class Clock;

// One waiting party (a checker, the publisher). Owns the timer the clock wakes.
class Sleeper {
  public:
    Sleeper(const boost::asio::any_io_executor& executor, Clock& clock);
    ~Sleeper();
    Sleeper(const Sleeper&) = delete;
    Sleeper& operator=(const Sleeper&) = delete;

    void cancel();  // the pending sleep returns false
    Clock& clock() const { return clock_; }

  private:
    friend class RealClock;
    friend class ManualClock;
    boost::asio::steady_timer timer_;
    Clock& clock_;
    bool registered_ = false;  // manual clock: waiting in the due list
    bool woken_ = false;       // manual clock: woken and busy until it sleeps again
    std::multimap<Duration, Sleeper*>::iterator entry_;
};

class Clock {
  public:
    virtual ~Clock() = default;
    virtual bool manual() const = 0;
    // Waits `d` of engine time. True when the time passed, false when cancelled.
    virtual boost::asio::awaitable<bool> sleep(Sleeper& sleeper, Duration d) = 0;

  protected:
    friend class Sleeper;
    virtual void forget(Sleeper&) {}
};

// Real and Scaled modes: callers already scaled their durations, so both sleep in real time.
class RealClock final : public Clock {
  public:
    bool manual() const override { return false; }
    boost::asio::awaitable<bool> sleep(Sleeper& sleeper, Duration d) override;
};

// Time moves only through advance(). Sleepers woken by it count as busy until they sleep again
// (or die), and advance() waits for them, so everything due in the span happens in order.
class ManualClock final : public Clock {
  public:
    bool manual() const override { return true; }
    boost::asio::awaitable<bool> sleep(Sleeper& sleeper, Duration d) override;
    // Must run on the executor of every sleeper. `stopping` aborts the walk.
    boost::asio::awaitable<void> advance(Duration by, const bool& stopping);
    Duration now() const { return now_; }

  protected:
    void forget(Sleeper& sleeper) override;

  private:
    void release(Sleeper& sleeper);
    Duration now_{};
    std::multimap<Duration, Sleeper*> due_;
    int busy_ = 0;
    boost::asio::steady_timer* idle_signal_ = nullptr;  // the running advance() waits on it
};

std::unique_ptr<Clock> make_clock(const config::ClockSettings& settings);
// Factor applied to AWS intervals and timeouts: the scale in Scaled mode, else 1.
double time_scale(const config::ClockSettings& settings);

}  // namespace r53::health
