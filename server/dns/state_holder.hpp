// The published ServingState, read on every query without a lock (design §3 "Lock-free reads",
// after PowerDNS sholder.hh): writers serialize on a mutex and bump an atomic generation; each
// reader thread keeps {generation, shared_ptr} and only locks when the generation moved.
//
// Freeing happens off the query path, as Knot's and gdnsd's RCU do: a published state that is
// replaced is retired, not dropped. The holder keeps one reference to every retired state, so a
// reader dropping its cached one never drops the last; the holder's reclaimer thread frees a
// retired state once it is the only owner left. Readers that go idle call refresh() from a timer
// so that they let go of a retired state in bounded time (DnsServer does, every 250 ms).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "resolver/serving_state.hpp"

namespace r53::server {

class StateHolder {
  public:
    StateHolder();
    explicit StateHolder(resolver::ServingStatePtr initial);
    ~StateHolder();  // joins the reclaimer; what no reader still holds is freed here
    StateHolder(const StateHolder&) = delete;
    StateHolder& operator=(const StateHolder&) = delete;

    // Any thread. A null state is allowed (the server then answers SERVFAIL). The state it
    // replaces is retired and freed later on the reclaimer thread, never by this call.
    void publish(resolver::ServingStatePtr state);
    resolver::ServingStatePtr current() const;

    // The calling thread's snapshot: valid until this thread's next local() or refresh() on any
    // holder. Never null: before the first publish it is an empty ServingState (no config, no
    // zones). No allocation, and a lock only when a publish happened since this thread's last call.
    const resolver::ServingState& local() noexcept;
    // local() without reading: an idle reader's timer lets go of a retired snapshot.
    void refresh() noexcept { (void)local(); }

    // How many times publish() ran.
    uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }
    // States not yet freed: the current one plus retired ones some reader may still hold.
    size_t live() const;
    // Frees, on the calling thread, every retired state no reader holds any more; returns how
    // many retired states remain. The reclaimer thread calls it; tests may too.
    size_t reclaim();

  private:
    void run_reclaimer();

    const uint64_t id_;  // tells holders apart in the per-thread cache, even at a reused address
    mutable std::mutex mutex_;
    resolver::ServingStatePtr state_;
    std::atomic<uint64_t> generation_{0};

    // Retired states; a mutex of their own, so that sweeping never delays a reader's refresh.
    mutable std::mutex retired_mutex_;
    std::condition_variable retired_cv_;
    std::vector<resolver::ServingStatePtr> retired_;
    bool stopping_ = false;
    std::thread reclaimer_;  // started by the first publish that retires something
};

}  // namespace r53::server
