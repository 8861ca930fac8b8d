// Simple routing (§2.3): the one record, all its values in random order. Never health-checked:
// a HealthCheckId on it is ignored. EvaluateTargetHealth does not change its own answer, but
// when another alias evaluates it (§3), a simple alias with ETH passes on its target's health.
#include "resolver/policy.hpp"

namespace r53::resolver {
namespace {

class SimplePolicy final : public Policy {
  public:
    std::string_view name() const noexcept override { return "simple"; }
    bool select(const RecordGroup& group, EvalContext& ctx, bool strict,
                Section& out) const noexcept override {
        if (group.records.empty()) return false;
        const Record& record = group.records.front();
        ctx.note([&] { return std::string("simple: the one record"); });
        return emit_target(group, record, ctx, strict && record.evaluate_target_health, out);
    }
};

}  // namespace

const Policy& simple_policy() noexcept {
    static const SimplePolicy policy;
    return policy;
}

}  // namespace r53::resolver
