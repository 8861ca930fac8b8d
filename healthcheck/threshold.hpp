// One checker's FailureThreshold hysteresis (semantics §1.4 point 2): a pure state machine that
// starts healthy and flips only after `threshold` consecutive opposite results, in both directions.
#pragma once

namespace r53::health {

enum class Transition { None, BecameHealthy, BecameUnhealthy };

class Threshold {
  public:
    explicit Threshold(int failure_threshold);

    // Feeds one probe result; returns the verdict change it caused, if any.
    Transition feed(bool probe_ok);

    bool healthy() const { return healthy_; }
    int threshold() const { return threshold_; }
    // Length of the current run of identical results (successes or failures).
    int consecutive_successes() const { return successes_; }
    int consecutive_failures() const { return failures_; }

    // Takes over another machine's state (a replica that probed this checker before).
    void restore(bool healthy, int successes, int failures) {
        healthy_ = healthy;
        successes_ = successes;
        failures_ = failures;
    }

  private:
    int threshold_;
    bool healthy_ = true;
    int successes_ = 0;
    int failures_ = 0;
};

}  // namespace r53::health
