// "Did you mean": the nearest valid spelling, only when it is near enough to be meant.
#include <gtest/gtest.h>

#include "config/suggest.hpp"

namespace r53::config {
namespace {

TEST(Suggest, EditDistanceCountsEditsAndSwaps) {
    EXPECT_EQ(edit_distance("admin", "admin"), 0u);
    EXPECT_EQ(edit_distance("admn", "admin"), 1u);     // a deletion
    EXPECT_EQ(edit_distance("Wieght", "Weight"), 1u);  // neighbours swapped
    EXPECT_EQ(edit_distance("ttl", "TTL"), 0u);        // case does not count
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Suggest, NearestIsCloseEnoughOrNothing) {
    std::vector<std::string> keys = {"Name", "Type", "TTL", "ResourceRecords", "HealthCheckId"};
    EXPECT_EQ(nearest("Tpye", keys), "Type");
    EXPECT_EQ(nearest("ResourceRecord", keys), "ResourceRecords");
    EXPECT_EQ(nearest("HealthCheckID", keys), "HealthCheckId");
    EXPECT_EQ(nearest("Weight", keys), std::nullopt);  // nothing like it
    EXPECT_EQ(nearest("X", keys), std::nullopt);
    EXPECT_EQ(did_you_mean("Nmae", keys), " (did you mean 'Name'?)");
    EXPECT_EQ(did_you_mean("Zebra", keys), "");
}

}  // namespace
}  // namespace r53::config
