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
    // The owner will not sleep again (its loop ended): the manual clock stops waiting for it.
    void finish();
    Clock& clock() const { return clock_; }

  private:
    friend class RealClock;
    friend class ManualClock;
    boost::asio::steady_timer timer_;
    Clock& clock_;
    bool registered_ = false;  // manual clock: waiting in the due list
    bool woken_ = false;       // manual clock: woken and busy until it sleeps again
    Duration due_at_{};        // manual clock: the instant it was last due
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

// Time moves only through advance(). The contract, which tests and the README rely on:
// - Manual time starts at 0. A sleep of d registered at manual time t is due at t + d; a checker
//   whose first sleep is interval x start_fraction, registered when it starts (time 0 for the
//   first config), first probes at start + start_fraction x interval.
// - advance(by) wakes, in time order, every sleeper due at or before now + by, the target itself
//   included; so a sleep due at the current time (a first probe at 0) runs on the next advance,
//   advance(0) included.
// - A woken sleeper is busy until it sleeps again, finishes or dies, and advance() returns only
//   when nothing is busy: every probe due in the span has completed. Manual time does not pass
//   while a sleeper is busy, and its next sleep counts from the instant it was due, so a checker
//   probes exactly every interval (no jitter): from time 0, k advances of one interval each run
//   k + 1 probes of a checker whose first probe is due at 0, one per advance after the first.
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
