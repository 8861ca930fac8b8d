#include "server/dns/state_holder.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <utility>

namespace r53::server {
namespace {

// How often the reclaimer looks again while retired states are still held by some reader: a
// busy reader lets go at its next query, an idle one at its refresh timer.
constexpr auto kSweepPeriod = std::chrono::milliseconds(50);

std::atomic<uint64_t> next_holder_id{1};

struct ThreadCache {
    uint64_t holder_id = 0;
    uint64_t generation = 0;
    resolver::ServingStatePtr state;
};

thread_local ThreadCache cache;

const resolver::ServingState& empty_state() noexcept {
    static const resolver::ServingState empty{};
    return empty;
}

}  // namespace

StateHolder::StateHolder() : id_(next_holder_id.fetch_add(1)) {}

StateHolder::StateHolder(resolver::ServingStatePtr initial) : StateHolder() {
    publish(std::move(initial));
}

StateHolder::~StateHolder() {
    {
        std::lock_guard lock(retired_mutex_);
        stopping_ = true;
    }
    retired_cv_.notify_all();
    if (reclaimer_.joinable()) reclaimer_.join();
}

void StateHolder::publish(resolver::ServingStatePtr state) {
    resolver::ServingStatePtr old;
    {
        std::lock_guard lock(mutex_);
        old = std::exchange(state_, std::move(state));
        generation_.store(generation_.load(std::memory_order_relaxed) + 1,
                          std::memory_order_release);
    }
    if (!old) return;
    {
        std::lock_guard lock(retired_mutex_);
        retired_.push_back(std::move(old));
        if (!reclaimer_.joinable()) reclaimer_ = std::thread([this] { run_reclaimer(); });
    }
    retired_cv_.notify_one();
}

resolver::ServingStatePtr StateHolder::current() const {
    std::lock_guard lock(mutex_);
    return state_;
}

const resolver::ServingState& StateHolder::local() noexcept {
    const uint64_t generation = generation_.load(std::memory_order_acquire);
    if (cache.holder_id != id_ || cache.generation != generation) {
        resolver::ServingStatePtr fresh;
        uint64_t fresh_generation;
        {
            std::lock_guard lock(mutex_);
            fresh = state_;
            fresh_generation = generation_.load(std::memory_order_relaxed);
        }
        // Drops this thread's reference to the previous snapshot. For one of this holder's it is
        // never the last (retired_ or state_ has one); only a state of another holder that has
        // gone away can be freed here, which only tests do.
        cache.state = std::move(fresh);
        cache.holder_id = id_;
        cache.generation = fresh_generation;
    }
    return cache.state ? *cache.state : empty_state();
}

size_t StateHolder::live() const {
    size_t count;
    {
        std::lock_guard lock(retired_mutex_);
        count = retired_.size();
    }
    return count + (current() ? 1 : 0);
}

size_t StateHolder::reclaim() {
    std::vector<resolver::ServingStatePtr> unused;
    size_t remaining;
    {
        std::lock_guard lock(retired_mutex_);
        // use_count() == 1: ours is the last reference, and nobody can make a new one from it
        // (readers only copy state_). The fence pairs with the readers' releasing decrements, so
        // everything they read happens before the free.
        auto held = std::partition(retired_.begin(), retired_.end(),
                                   [](const auto& s) { return s.use_count() > 1; });
        std::move(held, retired_.end(), std::back_inserter(unused));
        retired_.erase(held, retired_.end());
        remaining = retired_.size();
    }
    std::atomic_thread_fence(std::memory_order_acquire);
    unused.clear();  // freed here, outside both locks
    return remaining;
}

void StateHolder::run_reclaimer() {
    pthread_setname_np(pthread_self(), "r53-reclaim");  // freeing shows up under its own name
    std::unique_lock lock(retired_mutex_);
    while (!stopping_) {
        if (retired_.empty()) {
            retired_cv_.wait(lock, [this] { return stopping_ || !retired_.empty(); });
        } else {
            retired_cv_.wait_for(lock, kSweepPeriod, [this] { return stopping_; });
        }
        if (stopping_) break;
        lock.unlock();
        reclaim();
        lock.lock();
    }
}

}  // namespace r53::server
