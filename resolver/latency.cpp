// Latency routing (§2.3): the record whose Region is "closest" to the client; unhealthy ->
// the next closest. Locally there is no latency measurement, so the order comes from:
//  1. local.latency, when the client (ECS prefix, else the resolver's address, §2.4) matches an
//     entry by longest prefix or the table has a default: the first listed region with a healthy
//     record wins, then the next listed, and so on. Regions the list leaves out come after every
//     listed one, in distance order (Gap: Route 53 measures every region; a list that names only
//     some says nothing about the rest, and distance is what r53sim uses when it knows nothing).
//  2. Otherwise, and for the regions a list leaves out, great-circle distance from the client
//     (Gap; aws_regions.hpp). The client's position is its configured region
//     (local.client_locations), else its coordinates, else us-east-1 (TestDNSAnswer's default,
//     §2.4). Inside China cn-north-1 always wins (§2.3 Notes).
#include <limits>

#include "resolver/aws_regions.hpp"
#include "resolver/latency_table.hpp"
#include "resolver/policy.hpp"

namespace r53::resolver {
namespace {

config::Coordinates client_position(const ClientLocation& where) noexcept {
    if (where.region)
        if (auto p = region_position(*where.region)) return *p;
    if (where.coordinates) return *where.coordinates;
    return *region_position(kDefaultClientRegion);
}

// "203.0.113.7", or "203.0.113.0/24" for an ECS prefix; "unknown" without an address.
std::string client_text(const ClientAddress& client) {
    if (client.family == 0) return "unknown";
    config::IpPrefix p;
    p.family = client.family;
    p.length = client.prefix_length;
    p.bytes = client.bytes;
    return p.to_string();
}

class LatencyPolicy final : public SingleChoicePolicy {
  public:
    std::string_view name() const noexcept override { return "latency"; }

  protected:
    int pick(const RecordGroup& group, const Candidates& available,
             EvalContext& ctx) const noexcept override {
        if (const LatencyTable::Entry* listed = ctx.zones.latency.match(ctx.address())) {
            int best = -1, best_rank = std::numeric_limits<int>::max();
            for (size_t i = 0; i < group.records.size(); ++i) {
                if (!available.test(i)) continue;
                int rank = LatencyTable::rank(*listed, group.records[i].region);
                if (rank >= 0 && rank < best_rank) {
                    best = static_cast<int>(i);
                    best_rank = rank;
                }
            }
            if (best >= 0) return best;
        }
        return nearest(group, available, ctx);
    }

    void note_choice(const RecordGroup& group, const Record& chosen,
                     EvalContext& ctx) const noexcept override {
        (void)group;
        ctx.note([&] {
            const ClientAddress& client = ctx.address();
            const LatencyTable::Entry* listed = ctx.zones.latency.match(client);
            std::string line = "latency: client " + client_text(client);
            if (!listed)
                return line + " matched no local.latency entry; chose " + chosen.region +
                       " by distance";
            line += " matched " + listed->client_text + " -> " + listed->regions_text + "; chose " +
                    chosen.region;
            if (LatencyTable::rank(*listed, chosen.region) < 0)
                line += " (not in the list: by distance)";
            return line;
        });
    }

  private:
    static int nearest(const RecordGroup& group, const Candidates& available,
                       EvalContext& ctx) noexcept {
        const ClientLocation& where = ctx.location();
        bool in_china = where.country && *where.country == "CN";
        config::Coordinates client = client_position(where);
        int best = -1;
        double best_distance = std::numeric_limits<double>::infinity();
        for (size_t i = 0; i < group.records.size(); ++i) {
            if (!available.test(i)) continue;
            const Record& r = group.records[i];
            if (in_china && r.region == "cn-north-1") return static_cast<int>(i);
            // Same region = distance 0; records of unknown regions rank last.
            double d = where.region && r.region == *where.region ? 0.0
                       : r.region_position ? distance_km(client, *r.region_position)
                                           : std::numeric_limits<double>::max();
            if (best < 0 || d < best_distance) {
                best = static_cast<int>(i);
                best_distance = d;
            }
        }
        return best;
    }
};

}  // namespace

const Policy& latency_policy() noexcept {
    static const LatencyPolicy policy;
    return policy;
}

}  // namespace r53::resolver
