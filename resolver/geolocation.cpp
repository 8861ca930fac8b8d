// Geolocation routing (§2.3): the most specific matching area, subdivision > country >
// continent > default ("*"); an unhealthy record gives way to the next larger area; no match
// and no default -> no record applies (NODATA, §8 point 16). A client with no location data
// matches only the default (Gap).
#include "resolver/policy.hpp"

namespace r53::resolver {
namespace {

// How specifically `r` covers the client: 3 subdivision, 2 country, 1 continent, 0 default,
// -1 not at all.
int specificity(const Record& r, const ClientLocation& where) noexcept {
    if (r.country == "*") return 0;
    if (!r.country.empty()) {
        if (!where.country || *where.country != r.country) return -1;
        if (r.subdivision.empty()) return 2;
        return where.subdivision && *where.subdivision == r.subdivision ? 3 : -1;
    }
    if (!r.continent.empty()) return where.continent && *where.continent == r.continent ? 1 : -1;
    return -1;
}

class GeolocationPolicy final : public SingleChoicePolicy {
  public:
    std::string_view name() const noexcept override { return "geolocation"; }

  protected:
    int pick(const RecordGroup& group, const Candidates& available,
             EvalContext& ctx) const noexcept override {
        const ClientLocation& where = ctx.location();
        int best = -1, best_level = -1;
        for (size_t i = 0; i < group.records.size(); ++i) {
            if (!available.test(i)) continue;
            int level = specificity(group.records[i], where);
            if (level > best_level) {
                best = static_cast<int>(i);
                best_level = level;
            }
        }
        return best;
    }
};

}  // namespace

const Policy& geolocation_policy() noexcept {
    static const GeolocationPolicy policy;
    return policy;
}

}  // namespace r53::resolver
