// EventFeed: ids in publish order, reading from an id, the bounded history, bounded subscribers
// that are woken on every publish and leave when their subscription goes.
#include "server/control/event_feed.hpp"

#include <gtest/gtest.h>

namespace r53::server {
namespace {

TEST(EventFeed, NumbersEventsAndReadsFromAnId) {
    EventFeed feed;
    EXPECT_EQ(feed.last_id(), 0u);
    EXPECT_EQ(feed.publish("health", R"({"check":"a"})"), 1u);
    EXPECT_EQ(feed.publish("publish", R"({"generation":2})"), 2u);
    EXPECT_EQ(feed.publish("answer", R"({"name":"x"})"), 3u);
    auto all = feed.since(0);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].type, "health");
    EXPECT_EQ(all[2].data, R"({"name":"x"})");
    EXPECT_GT(all[0].time, 1.5e9);  // wall clock, unix seconds
    auto later = feed.since(1);
    ASSERT_EQ(later.size(), 2u);
    EXPECT_EQ(later[0].id, 2u);
    EXPECT_EQ(feed.since(1, 1).size(), 1u);
    EXPECT_TRUE(feed.since(3).empty());
}

TEST(EventFeed, KeepsAtMostMaxEvents) {
    EventFeed::Limits limits;
    limits.max_events = 3;
    EventFeed feed(limits);
    for (int i = 0; i < 5; ++i) feed.publish("publish", "{}");
    auto kept = feed.since(0);
    ASSERT_EQ(kept.size(), 3u);
    EXPECT_EQ(kept.front().id, 3u);
    EXPECT_EQ(feed.last_id(), 5u);
}

TEST(EventFeed, WakesSubscribersAndBoundsThem) {
    EventFeed::Limits limits;
    limits.max_subscribers = 2;
    EventFeed feed(limits);
    int a = 0, b = 0;
    auto first = feed.subscribe([&] { ++a; });
    auto second = feed.subscribe([&] { ++b; });
    ASSERT_TRUE(first && second);
    EXPECT_EQ(feed.subscribe([] {}), nullptr);  // full
    feed.publish("health", "{}");
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, 1);
    second.reset();  // leaves: its place is free, it is no longer woken
    EXPECT_EQ(feed.subscribers(), 1u);
    feed.publish("health", "{}");
    EXPECT_EQ(a, 2);
    EXPECT_EQ(b, 1);
    EXPECT_NE(feed.subscribe([] {}), nullptr);
}

}  // namespace
}  // namespace r53::server
