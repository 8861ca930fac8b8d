#include "server/dns/state_holder.hpp"

#include <utility>

namespace r53::server {
namespace {

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

StateHolder::StateHolder() noexcept : id_(next_holder_id.fetch_add(1)) {}

StateHolder::StateHolder(resolver::ServingStatePtr initial) : StateHolder() {
    publish(std::move(initial));
}

void StateHolder::publish(resolver::ServingStatePtr state) {
    resolver::ServingStatePtr old;
    {
        std::lock_guard lock(mutex_);
        old = std::exchange(state_, std::move(state));
        generation_.store(generation_.load(std::memory_order_relaxed) + 1,
                          std::memory_order_release);
    }
    // `old` is released outside the lock: freeing a large snapshot must not stall readers.
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
        cache.state = std::move(fresh);  // the previous snapshot may be freed here, unlocked
        cache.holder_id = id_;
        cache.generation = fresh_generation;
    }
    return cache.state ? *cache.state : empty_state();
}

}  // namespace r53::server
