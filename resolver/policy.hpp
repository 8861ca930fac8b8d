// One routing policy = one small file behind this interface (semantics §2.2, §2.3), registered
// in one table (policy_registry.cpp). Policies run on the query path: no heap, no exceptions.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

#include "resolver/answer.hpp"
#include "resolver/client_location.hpp"
#include "resolver/question.hpp"
#include "resolver/random.hpp"
#include "resolver/resolve.hpp"
#include "resolver/zone_set_impl.hpp"

namespace r53::resolver {

// Largest group the selection bitmaps hold; ZoneSet::build rejects larger ones.
inline constexpr size_t kMaxGroupRecords = 512;
// Alias chains deeper than this are cut (build already rejects cycles).
inline constexpr int kMaxAliasDepth = 8;

using Candidates = std::bitset<kMaxGroupRecords>;

// Everything a policy may read while answering one question.
class EvalContext {
  public:
    EvalContext(const ZoneSet::Impl& zones, const health::HealthTable* health, Random& random,
                const Question& question, Trace* trace) noexcept;

    const ZoneSet::Impl& zones;
    const health::HealthTable* health;
    Random& random;
    const Question& question;
    Trace* trace;
    const uint8_t* owner = nullptr;  // owner to write on emitted entries (nullptr = qname)
    int depth = 0;                   // alias recursion depth
    bool used_location = false;      // the answer depended on where the client is

    // Where the client is; marks the answer as location-dependent (ECS scope).
    const ClientLocation& location() noexcept;
    // The address IP-based routing matches (the client's, else the configured default).
    const ClientAddress& address() noexcept;

    bool healthy(uint32_t health_index) const noexcept {
        return health == nullptr || health->is_healthy(health_index);
    }

    // Adds a trace step built by `make` only when a trace was asked for.
    template <class Make>
    void note(Make&& make) noexcept {
        if (trace == nullptr) return;
        try {
            trace->steps.push_back(std::string(depth * 2, ' ') + make());
        } catch (...) {
        }
    }

  private:
    ClientLocation location_;
    bool located_ = false;
};

class Policy {
  public:
    virtual ~Policy() = default;
    virtual std::string_view name() const noexcept = 0;
    // Appends the answer for `group` to `out`. strict: only healthy choices count, and false
    // (nothing appended) means the group has none - its alias parent treats it as unhealthy
    // (§3). Not strict: the §2.2 mode of last resort applies; false only when no record applies
    // to this client (geolocation/IP-based "no answer", §5: NODATA).
    virtual bool select(const RecordGroup& group, EvalContext& ctx, bool strict,
                        Section& out) const noexcept = 0;
};

// The §2.2 loop for policies that choose one record at a time: pick, drop it if unhealthy,
// pick again; when every pick failed, pick once more ignoring health (fail-open).
class SingleChoicePolicy : public Policy {
  public:
    bool select(const RecordGroup& group, EvalContext& ctx, bool strict,
                Section& out) const noexcept final;

  protected:
    // Index of the preferred record among `available`, or -1 when none applies to the client.
    virtual int pick(const RecordGroup& group, const Candidates& available,
                     EvalContext& ctx) const noexcept = 0;
    // Traces what made `chosen` the choice (explain), once it is chosen. Nothing by default.
    virtual void note_choice(const RecordGroup& group, const Record& chosen,
                             EvalContext& ctx) const noexcept {
        (void)group, (void)chosen, (void)ctx;
    }
};

const Policy& policy_for(config::RoutingPolicy policy) noexcept;

// Appends one record's answer: its values, or its alias target's answer (§3). strict: returns
// false, appending nothing, when the record (or its ETH target) is unhealthy.
bool emit_record(const RecordGroup& group, const Record& record, EvalContext& ctx, bool strict,
                 Section& out) noexcept;

// emit_record without the record's own health check: what its values or alias target give.
bool emit_target(const RecordGroup& group, const Record& record, EvalContext& ctx, bool strict,
                 Section& out) noexcept;

// Whether the record passes its own health check (no check = healthy, §2.2).
bool check_passes(const Record& record, const EvalContext& ctx) noexcept;

Candidates all_candidates(const RecordGroup& group) noexcept;

// Registered policies, one per file.
const Policy& simple_policy() noexcept;
const Policy& weighted_policy() noexcept;
const Policy& failover_policy() noexcept;
const Policy& multivalue_policy() noexcept;
const Policy& latency_policy() noexcept;
const Policy& geolocation_policy() noexcept;
const Policy& geoproximity_policy() noexcept;
const Policy& ip_based_policy() noexcept;

}  // namespace r53::resolver
