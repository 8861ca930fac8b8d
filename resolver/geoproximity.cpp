// Geoproximity routing (§2.3): the smallest biased distance from the client to each record's
// location (Coordinates, or its AWSRegion/LocalZoneGroup position). Bias b > 0 shrinks the
// distance to d·(1 − b/100), b < 0 stretches it to d/(1 + b/100). The client's position is its
// configured coordinates, else its region's, else us-east-1 (Gap, as latency.cpp).
#include <limits>

#include "resolver/aws_regions.hpp"
#include "resolver/policy.hpp"

namespace r53::resolver {
namespace {

config::Coordinates client_position(const ClientLocation& where) noexcept {
    if (where.coordinates) return *where.coordinates;
    if (where.region)
        if (auto p = region_position(*where.region)) return *p;
    return *region_position(kDefaultClientRegion);
}

double biased(double distance, int bias) noexcept {
    if (bias > 0) return distance * (1.0 - bias / 100.0);
    if (bias < 0) return distance / (1.0 + bias / 100.0);
    return distance;
}

class GeoproximityPolicy final : public SingleChoicePolicy {
  public:
    std::string_view name() const noexcept override { return "geoproximity"; }

  protected:
    int pick(const RecordGroup& group, const Candidates& available,
             EvalContext& ctx) const noexcept override {
        config::Coordinates client = client_position(ctx.location());
        int best = -1;
        double best_distance = std::numeric_limits<double>::infinity();
        for (size_t i = 0; i < group.records.size(); ++i) {
            if (!available.test(i)) continue;
            const Record& r = group.records[i];
            double d = biased(distance_km(client, r.position), r.bias);
            if (best < 0 || d < best_distance) {
                best = static_cast<int>(i);
                best_distance = d;
            }
        }
        return best;
    }
};

}  // namespace

const Policy& geoproximity_policy() noexcept {
    static const GeoproximityPolicy policy;
    return policy;
}

}  // namespace r53::resolver
