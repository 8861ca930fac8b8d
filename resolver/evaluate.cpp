// The generic selection rules shared by every policy (semantics §2.2) and alias evaluation (§3).
#include <string>

#include "resolver/policy.hpp"

namespace r53::resolver {

EvalContext::EvalContext(const ZoneSet::Impl& zones_in, const health::HealthTable* health_in,
                         Random& random_in, const Question& question_in, Trace* trace_in) noexcept
    : zones(zones_in),
      health(health_in),
      random(random_in),
      question(question_in),
      trace(trace_in) {}

const ClientLocation& EvalContext::location() noexcept {
    used_location = true;
    if (!located_) {
        location_ = zones.locator.locate(question.client);
        located_ = true;
    }
    return location_;
}

const ClientAddress& EvalContext::address() noexcept {
    used_location = true;
    return zones.locator.effective(question.client);
}

Candidates all_candidates(const RecordGroup& group) noexcept {
    Candidates c;
    for (size_t i = 0; i < group.records.size() && i < kMaxGroupRecords; ++i) c.set(i);
    return c;
}

bool check_passes(const Record& record, const EvalContext& ctx) noexcept {
    return ctx.healthy(record.health_index);
}

namespace {

std::string describe_check(const Record& r, bool passes) {
    if (r.health_check_id.empty()) return "no health check (healthy)";
    return "health check " + r.health_check_id + (passes ? " healthy" : " unhealthy");
}

bool emit_values(const RRset& rrset, uint32_t ttl, EvalContext& ctx, Section& out) noexcept {
    if (rrset.size() == 0) return false;
    AnswerEntry e;
    e.rrset = &rrset;
    e.owner = ctx.owner;
    e.ttl = ttl;
    e.count = rrset.size();
    e.rotate = e.count > 1 ? static_cast<uint16_t>(ctx.random.below(e.count)) : 0;
    out.push(e);
    return true;
}

bool emit_aws(const RecordGroup& group, const Record& record, EvalContext& ctx, bool strict,
              Section& out) noexcept {
    const AwsTarget& t = *record.alias_aws;
    bool target_healthy =
        t.health_index != health::kNoHealthCheck ? ctx.healthy(t.health_index) : t.fixed_healthy;
    ctx.note([&] {
        return "alias to AWS target " + t.dns_name + ": " +
               (target_healthy ? "healthy" : "unhealthy") +
               (record.evaluate_target_health ? "" : " (EvaluateTargetHealth=false: ignored)");
    });
    if (strict && record.evaluate_target_health && !target_healthy) return false;
    const RRset& rrset = group.type == 28 ? t.aaaa : t.a;
    return emit_values(rrset, rrset.ttl, ctx, out);
}

bool emit_alias_group(const Record& record, EvalContext& ctx, bool strict, Section& out) noexcept {
    const RecordGroup& target = *record.alias_group;
    if (ctx.depth >= kMaxAliasDepth) {
        ctx.note([&] { return "alias depth limit reached at " + target.owner_text; });
        return false;
    }
    bool evaluate = strict && record.evaluate_target_health;
    ctx.note([&] {
        return "alias to " + target.owner_text + " " + target.type_text + " (" +
               std::string(target.policy_impl->name()) +
               ", EvaluateTargetHealth=" + (record.evaluate_target_health ? "true" : "false") + ")";
    });
    ++ctx.depth;
    size_t mark = out.size;
    bool ok = target.policy_impl->select(target, ctx, evaluate, out);
    --ctx.depth;
    if (!ok) {
        out.size = static_cast<uint8_t>(mark);
        ctx.note([&] {
            return evaluate ? std::string("alias target has no healthy record: branch unhealthy")
                            : std::string("alias target gave no answer");
        });
    }
    return ok;
}

}  // namespace

bool emit_record(const RecordGroup& group, const Record& record, EvalContext& ctx, bool strict,
                 Section& out) noexcept {
    if (strict && !check_passes(record, ctx)) return false;
    return emit_target(group, record, ctx, strict, out);
}

bool emit_target(const RecordGroup& group, const Record& record, EvalContext& ctx, bool strict,
                 Section& out) noexcept {
    if (record.alias_aws) return emit_aws(group, record, ctx, strict, out);
    if (record.alias_group) return emit_alias_group(record, ctx, strict, out);
    return emit_values(record.values, record.values.ttl, ctx, out);
}

bool SingleChoicePolicy::select(const RecordGroup& group, EvalContext& ctx, bool strict,
                                Section& out) const noexcept {
    Candidates available = all_candidates(group);
    bool picked_any = false;
    for (;;) {
        int i = pick(group, available, ctx);
        if (i < 0) break;
        picked_any = true;
        const Record& r = group.records[i];
        bool passes = check_passes(r, ctx);
        ctx.note([&] {
            return std::string(name()) + ": candidate '" + r.label + "', " +
                   describe_check(r, passes);
        });
        size_t mark = out.size;
        if (emit_record(group, r, ctx, true, out)) {
            ctx.note([&] { return "chose '" + r.label + "'"; });
            note_choice(group, r, ctx);
            return true;
        }
        out.size = static_cast<uint8_t>(mark);
        ctx.note([&] { return "dropped '" + r.label + "', picking again"; });
        available.reset(i);
    }
    if (!picked_any) {
        ctx.note([&] { return std::string(name()) + ": no record applies to this client"; });
        return false;
    }
    if (strict) return false;
    ctx.note([] { return std::string("all unhealthy: treating all as healthy (fail-open)"); });
    int i = pick(group, all_candidates(group), ctx);
    if (i < 0) return false;
    const Record& r = group.records[i];
    ctx.note([&] { return "chose '" + r.label + "' (fail-open)"; });
    note_choice(group, r, ctx);
    return emit_record(group, r, ctx, false, out);
}

}  // namespace r53::resolver
