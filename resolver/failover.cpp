// Failover routing (§2.3): PRIMARY while it is healthy, else SECONDARY if healthy, else PRIMARY
// (the fail-open re-pick). Never both. A lone PRIMARY or SECONDARY answers (§4 "Not enforced").
#include "resolver/policy.hpp"

namespace r53::resolver {
namespace {

class FailoverPolicy final : public SingleChoicePolicy {
  public:
    std::string_view name() const noexcept override { return "failover"; }

  protected:
    int pick(const RecordGroup& group, const Candidates& available,
             EvalContext& /*ctx*/) const noexcept override {
        int secondary = -1;
        for (size_t i = 0; i < group.records.size(); ++i) {
            if (!available.test(i)) continue;
            if (group.records[i].primary) return static_cast<int>(i);
            if (secondary < 0) secondary = static_cast<int>(i);
        }
        return secondary;
    }
};

}  // namespace

const Policy& failover_policy() noexcept {
    static const FailoverPolicy policy;
    return policy;
}

}  // namespace r53::resolver
