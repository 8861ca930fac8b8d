#include "server/dns/state_holder.hpp"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace r53::server {
namespace {

resolver::ServingStatePtr state(uint64_t n) {
    auto s = std::make_shared<resolver::ServingState>();
    s->generation = n;
    s->config_generation = n * 7;  // a second field that must always agree with the first
    return s;
}

TEST(StateHolder, EmptyBeforeTheFirstPublish) {
    StateHolder holder;
    EXPECT_EQ(holder.current(), nullptr);
    EXPECT_EQ(holder.local().zones, nullptr);
    EXPECT_EQ(holder.generation(), 0u);
}

TEST(StateHolder, LocalFollowsPublish) {
    StateHolder holder(state(1));
    EXPECT_EQ(holder.local().generation, 1u);
    holder.publish(state(2));
    EXPECT_EQ(holder.local().generation, 2u);
    EXPECT_EQ(holder.current()->generation, 2u);
    EXPECT_EQ(holder.generation(), 2u);
}

TEST(StateHolder, TwoHoldersOnOneThreadDoNotMix) {
    StateHolder a(state(10)), b(state(20));
    EXPECT_EQ(a.local().generation, 10u);
    EXPECT_EQ(b.local().generation, 20u);
    EXPECT_EQ(a.local().generation, 10u);
}

TEST(StateHolder, LocalKeepsItsSnapshotAliveAfterAPublish) {
    StateHolder holder(state(1));
    const resolver::ServingState& seen = holder.local();
    std::weak_ptr<const resolver::ServingState> first = holder.current();
    holder.publish(state(2));
    EXPECT_EQ(holder.reclaim(), 1u);  // this thread still reads it: not freed
    EXPECT_FALSE(first.expired());
    EXPECT_EQ(seen.generation, 1u);
    EXPECT_EQ(holder.local().generation, 2u);
    EXPECT_EQ(holder.reclaim(), 0u);  // nobody holds it now: freed (here, or by the reclaimer)
    EXPECT_TRUE(first.expired());
}

TEST(StateHolder, LiveCountsTheCurrentAndTheRetiredStillRead) {
    StateHolder holder;
    EXPECT_EQ(holder.live(), 0u);
    holder.publish(state(1));
    EXPECT_EQ(holder.live(), 1u);
    EXPECT_EQ(holder.local().generation, 1u);
    holder.publish(state(2));
    holder.publish(state(3));
    EXPECT_EQ(holder.reclaim(), 1u);  // 2 was never read: freed; this thread still reads 1
    EXPECT_EQ(holder.live(), 2u);
    holder.refresh();
    EXPECT_EQ(holder.reclaim(), 0u);
    EXPECT_EQ(holder.live(), 1u);
    EXPECT_EQ(holder.local().generation, 3u);
}

// What a destructor hook sees: the thread that freed a state.
struct FreedBy {
    std::promise<std::pair<std::thread::id, std::string>> freed;
    std::future<std::pair<std::thread::id, std::string>> seen = freed.get_future();
};

resolver::ServingStatePtr watched_state(uint64_t n, FreedBy& hook) {
    auto* s = new resolver::ServingState();
    s->generation = n;
    return resolver::ServingStatePtr(s, [&hook](const resolver::ServingState* p) {
        char name[16] = {};
        pthread_getname_np(pthread_self(), name, sizeof name);
        hook.freed.set_value({std::this_thread::get_id(), name});
        delete p;
    });
}

// The reader that drops the last outside reference does not free: the reclaimer thread does.
TEST(StateHolder, AReaderLettingGoNeverFreesTheSnapshot) {
    FreedBy hook;
    StateHolder holder(watched_state(1, hook));
    std::promise<void> read_first, published;
    auto published_seen = published.get_future();
    std::thread::id reader_id;
    std::thread reader([&] {
        reader_id = std::this_thread::get_id();
        EXPECT_EQ(holder.local().generation, 1u);
        read_first.set_value();
        published_seen.wait();
        EXPECT_EQ(holder.local().generation, 2u);  // lets go of 1: nobody else holds it
        // Stays alive until it is freed, so that no thread exit can free it in its place.
        EXPECT_EQ(hook.seen.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    });
    read_first.get_future().wait();
    holder.publish(state(2));
    published.set_value();
    reader.join();
    ASSERT_EQ(hook.seen.wait_for(std::chrono::seconds(0)), std::future_status::ready);
    const auto [freeing_thread, name] = hook.seen.get();
    EXPECT_NE(freeing_thread, reader_id);
    EXPECT_NE(freeing_thread, std::this_thread::get_id());  // nor the publisher's call
    EXPECT_EQ(name, "r53-reclaim");
    EXPECT_EQ(holder.live(), 1u);
}

// Readers on several threads always see a whole snapshot, never an older one than before.
TEST(StateHolder, ConcurrentReadersSeeConsistentMonotonicSnapshots) {
    constexpr uint64_t kPublishes = 2000;
    constexpr int kReaders = 4;
    StateHolder holder(state(0));
    std::atomic<bool> done{false};
    std::atomic<int> ready{0};
    std::atomic<uint64_t> inconsistent{0}, backwards{0}, reads{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < kReaders; ++r) {
        readers.emplace_back([&] {
            uint64_t last = 0, count = 0;
            ready.fetch_add(1);
            // Bounded: stops when the writer is done or after 50 million reads.
            while (!done.load(std::memory_order_acquire) && count < 50'000'000) {
                const resolver::ServingState& s = holder.local();
                if (s.config_generation != s.generation * 7) ++inconsistent;
                if (s.generation < last) ++backwards;
                last = s.generation;
                ++count;
            }
            const resolver::ServingState& s = holder.local();
            if (s.generation != kPublishes) ++inconsistent;  // sees the final state at the end
            reads += count;
        });
    }
    while (ready.load() < kReaders) std::this_thread::yield();
    for (uint64_t n = 1; n <= kPublishes; ++n) holder.publish(state(n));
    done.store(true, std::memory_order_release);
    for (auto& t : readers) t.join();
    EXPECT_EQ(inconsistent.load(), 0u);
    EXPECT_EQ(backwards.load(), 0u);
    EXPECT_GT(reads.load(), 0u);
    EXPECT_EQ(holder.local().generation, kPublishes);
}

}  // namespace
}  // namespace r53::server
