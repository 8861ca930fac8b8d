// Latency routing (§2.3): the record whose Region is "closest" to the client; unhealthy ->
// the next closest. Locally there is no latency measurement, so regions are ranked by
// great-circle distance from the client (Gap; aws_regions.hpp). The client's position is its
// configured region, else its coordinates, else us-east-1 (TestDNSAnswer's default, §2.4).
// Inside China cn-north-1 always wins (§2.3 Notes).
#include <limits>

#include "resolver/aws_regions.hpp"
#include "resolver/policy.hpp"

namespace r53::resolver {
namespace {

config::Coordinates client_position(const ClientLocation& where) noexcept {
    if (where.region)
        if (auto p = region_position(*where.region)) return *p;
    if (where.coordinates) return *where.coordinates;
    return *region_position(kDefaultClientRegion);
}

class LatencyPolicy final : public SingleChoicePolicy {
  public:
    std::string_view name() const noexcept override { return "latency"; }

  protected:
    int pick(const RecordGroup& group, const Candidates& available,
             EvalContext& ctx) const noexcept override {
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
