// IP-based routing (§2.3): the record whose CIDR location holds the client prefix, longest block
// first; else the "*" default. Unhealthy records follow the generic rule, then "*" (Gap, §2.3).
// A client of unknown address matches only the default (Gap).
#include "resolver/policy.hpp"

namespace r53::resolver {
namespace {

class IpBasedPolicy final : public SingleChoicePolicy {
  public:
    std::string_view name() const noexcept override { return "ip-based"; }

  protected:
    int pick(const RecordGroup& group, const Candidates& available,
             EvalContext& ctx) const noexcept override {
        const ClientAddress& client = ctx.address();
        int best = -1, best_length = -1, fallback = -1;
        for (size_t i = 0; i < group.records.size(); ++i) {
            if (!available.test(i)) continue;
            const Record& r = group.records[i];
            if (r.cidr_default && fallback < 0) fallback = static_cast<int>(i);
            for (const Cidr& block : r.cidr_blocks) {
                if (block.length > best_length && block.contains(client)) {
                    best = static_cast<int>(i);
                    best_length = block.length;
                }
            }
        }
        return best >= 0 ? best : fallback;
    }
};

}  // namespace

const Policy& ip_based_policy() noexcept {
    static const IpBasedPolicy policy;
    return policy;
}

}  // namespace r53::resolver
