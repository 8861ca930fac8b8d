#include "healthcheck/threshold.hpp"

#include <algorithm>

namespace r53::health {

Threshold::Threshold(int failure_threshold) : threshold_(std::max(1, failure_threshold)) {}

Transition Threshold::feed(bool probe_ok) {
    if (probe_ok) {
        ++successes_;
        failures_ = 0;
        if (!healthy_ && successes_ >= threshold_) {
            healthy_ = true;
            return Transition::BecameHealthy;
        }
    } else {
        ++failures_;
        successes_ = 0;
        if (healthy_ && failures_ >= threshold_) {
            healthy_ = false;
            return Transition::BecameUnhealthy;
        }
    }
    return Transition::None;
}

}  // namespace r53::health
