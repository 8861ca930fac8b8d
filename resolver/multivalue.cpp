// Multivalue answer routing (§2.3): up to 8 healthy records chosen at random; when none is
// healthy, up to 8 of the unhealthy ones. Multivalue records are never aliases (§3).
#include <array>

#include "resolver/policy.hpp"

namespace r53::resolver {
namespace {

constexpr size_t kMaxRecords = 8;

class MultivaluePolicy final : public Policy {
  public:
    std::string_view name() const noexcept override { return "multivalue"; }

    bool select(const RecordGroup& group, EvalContext& ctx, bool strict,
                Section& out) const noexcept override {
        std::array<uint16_t, kMaxGroupRecords> pool;
        size_t n = 0;
        for (size_t i = 0; i < group.records.size() && i < kMaxGroupRecords; ++i) {
            bool passes = check_passes(group.records[i], ctx);
            ctx.note([&] {
                const Record& r = group.records[i];
                return "multivalue: candidate '" + r.label + "', " +
                       (r.health_check_id.empty()
                            ? std::string("no health check (healthy)")
                            : "health check " + r.health_check_id +
                                  (passes ? " healthy: kept" : " unhealthy: dropped"));
            });
            if (passes) pool[n++] = static_cast<uint16_t>(i);
        }
        if (n == 0) {
            if (strict || group.records.empty()) return false;
            ctx.note(
                [] { return std::string("all unhealthy: treating all as healthy (fail-open)"); });
            for (size_t i = 0; i < group.records.size() && i < kMaxGroupRecords; ++i)
                pool[n++] = static_cast<uint16_t>(i);
        }
        // A partial Fisher-Yates shuffle: the first k of the pool become a uniform random subset.
        size_t k = n < kMaxRecords ? n : kMaxRecords;
        for (size_t i = 0; i < k; ++i) {
            size_t j = i + static_cast<size_t>(ctx.random.below(n - i));
            std::swap(pool[i], pool[j]);
            const Record& r = group.records[pool[i]];
            ctx.note([&] { return "chose '" + r.label + "'"; });
            emit_record(group, r, ctx, false, out);
        }
        return k > 0;
    }
};

}  // namespace

const Policy& multivalue_policy() noexcept {
    static const MultivaluePolicy policy;
    return policy;
}

}  // namespace r53::resolver
