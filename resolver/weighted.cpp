// Weighted routing (§2.3): P(i) = w_i / Σw over the records still in play, drawn per query.
// Dropping unhealthy records takes them out of Σ; weight-0 records are chosen only once every
// non-zero record is out, then with equal odds (also when all weights are 0).
#include "resolver/policy.hpp"

namespace r53::resolver {
namespace {

class WeightedPolicy final : public SingleChoicePolicy {
  public:
    std::string_view name() const noexcept override { return "weighted"; }

  protected:
    int pick(const RecordGroup& group, const Candidates& available,
             EvalContext& ctx) const noexcept override {
        uint64_t total = 0, zero_weight = 0;
        for (size_t i = 0; i < group.records.size(); ++i) {
            if (!available.test(i)) continue;
            if (group.records[i].weight > 0)
                total += static_cast<uint64_t>(group.records[i].weight);
            else
                ++zero_weight;
        }
        if (total > 0) {
            uint64_t draw = ctx.random.below(total);
            for (size_t i = 0; i < group.records.size(); ++i) {
                if (!available.test(i) || group.records[i].weight <= 0) continue;
                uint64_t w = static_cast<uint64_t>(group.records[i].weight);
                if (draw < w) return static_cast<int>(i);
                draw -= w;
            }
        }
        if (zero_weight == 0) return -1;
        uint64_t draw = ctx.random.below(zero_weight);
        for (size_t i = 0; i < group.records.size(); ++i) {
            if (!available.test(i) || group.records[i].weight > 0) continue;
            if (draw-- == 0) return static_cast<int>(i);
        }
        return -1;
    }
};

}  // namespace

const Policy& weighted_policy() noexcept {
    static const WeightedPolicy policy;
    return policy;
}

}  // namespace r53::resolver
