// Simple routing (§2.3): the one record, all its values in random order. Never health-checked,
// and EvaluateTargetHealth has no effect, so a simple group always counts as healthy.
#include "resolver/policy.hpp"

namespace r53::resolver {
namespace {

class SimplePolicy final : public Policy {
  public:
    std::string_view name() const noexcept override { return "simple"; }
    bool select(const RecordGroup& group, EvalContext& ctx, bool /*strict*/,
                Section& out) const noexcept override {
        if (group.records.empty()) return false;
        ctx.note([&] { return std::string("simple: the one record"); });
        return emit_record(group, group.records.front(), ctx, false, out);
    }
};

}  // namespace

const Policy& simple_policy() noexcept {
    static const SimplePolicy policy;
    return policy;
}

}  // namespace r53::resolver
