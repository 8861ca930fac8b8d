// The published ServingState, read on every query without a lock (design §3 "Lock-free reads",
// after PowerDNS sholder.hh): writers serialize on a mutex and bump an atomic generation; each
// reader thread keeps {generation, shared_ptr} and only locks when the generation moved.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "resolver/serving_state.hpp"

namespace r53::server {

class StateHolder {
  public:
    StateHolder() noexcept;
    explicit StateHolder(resolver::ServingStatePtr initial);
    StateHolder(const StateHolder&) = delete;
    StateHolder& operator=(const StateHolder&) = delete;

    // Any thread. A null state is allowed (the server then answers SERVFAIL).
    void publish(resolver::ServingStatePtr state);
    resolver::ServingStatePtr current() const;

    // The calling thread's snapshot: valid until this thread's next local() on any holder.
    // Never null: before the first publish it is an empty ServingState (no config, no zones).
    const resolver::ServingState& local() noexcept;

    // How many times publish() ran.
    uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }

  private:
    const uint64_t id_;  // tells holders apart in the per-thread cache, even at a reused address
    mutable std::mutex mutex_;
    resolver::ServingStatePtr state_;
    std::atomic<uint64_t> generation_{0};
};

}  // namespace r53::server
