// Authoritative lookup (semantics §5, §8 points 16-21): zone transfers refused, zone by longest
// suffix, referrals below the apex, exact names, wildcards (RFC 4592), CNAME, NXDOMAIN/NODATA
// with SOA, and the Authority/Additional sections. The routing choice itself is the policies'
// (policy.hpp).
#include "resolver/resolve.hpp"

#include <array>
#include <cstring>
#include <string_view>

#include "resolver/names.hpp"
#include "resolver/policy.hpp"
#include "resolver/zone_set_impl.hpp"

namespace r53::resolver {
namespace {

constexpr uint16_t kTypeNs = 2, kTypeCname = 5, kTypeA = 1, kTypeAaaa = 28, kTypeDs = 43,
                   kTypeIxfr = 251, kTypeAxfr = 252, kTypeAny = 255;
constexpr uint16_t kClassIn = 1, kClassAny = 255;
constexpr uint16_t kNoName = 0xFFFF;

std::string_view as_view(const uint8_t* p, size_t n) noexcept {
    return {reinterpret_cast<const char*>(p), n};
}

// Label start offsets of a wire name; the last entry is the root label.
struct Labels {
    std::array<uint8_t, 128> at{};
    int count = 0;  // including the root
    bool parse(const uint8_t* name, size_t length) noexcept {
        size_t pos = 0;
        while (pos < length && count < static_cast<int>(at.size())) {
            at[count++] = static_cast<uint8_t>(pos);
            uint8_t l = name[pos];
            if (l == 0) return pos + 1 == length;
            if (l > 63) return false;
            pos += l + 1u;
        }
        return false;
    }
};

class Lookup {
  public:
    Lookup(const Question& q, const ZoneSet::Impl& impl, EvalContext& ctx, Answer& answer)
        : q_(q), impl_(impl), ctx_(ctx), answer_(answer) {}

    void run() noexcept {
        if (!labels_.parse(q_.qname, q_.qname_length)) {
            answer_.rcode = Rcode::FormErr;
            answer_.authoritative = false;
            return;
        }
        // Zone transfers are refused, as NSD and Knot refuse them without an ACL: Route 53
        // offers none.
        if (q_.qtype == kTypeAxfr || q_.qtype == kTypeIxfr) {
            ctx_.note([] { return std::string("zone transfers are not offered: REFUSED"); });
            answer_.rcode = Rcode::Refused;
            answer_.authoritative = false;
            return;
        }
        for (int i = 0; i < labels_.count && !zone_; ++i) {
            zone_ = impl_.zone_for(suffix(i));
            zone_label_ = i;
        }
        if (!zone_ || (q_.qclass != kClassIn && q_.qclass != kClassAny)) {
            ctx_.note([] { return std::string("no hosted zone contains the name: REFUSED"); });
            answer_.rcode = Rcode::Refused;
            answer_.authoritative = false;
            return;
        }
        answer_.zone_id = zone_->id;
        ctx_.note([&] { return "zone " + zone_->name_text + " (" + zone_->id + ")"; });
        if (refer()) return;
        if (const Node* exact = zone_->node(suffix(0))) {
            answer_node(*exact);
            return;
        }
        // RFC 4592: the closest encloser is the longest existing ancestor; only its "*" child
        // may synthesise the answer.
        for (int i = 1; i <= zone_label_; ++i) {
            if (!zone_->node(suffix(i))) continue;
            std::array<uint8_t, 257> wildcard;
            std::string_view encloser = suffix(i);
            wildcard[0] = 1;
            wildcard[1] = '*';
            std::memcpy(wildcard.data() + 2, encloser.data(), encloser.size());
            if (const Node* w = zone_->node(as_view(wildcard.data(), encloser.size() + 2))) {
                ctx_.note([&] { return "wildcard " + to_text_name(wildcard.data()); });
                answer_node(*w);
                return;
            }
            break;
        }
        ctx_.note([] { return std::string("no such name: NXDOMAIN"); });
        answer_.rcode = Rcode::NxDomain;
        negative();
    }

  private:
    std::string_view suffix(int label) const noexcept {
        return as_view(q_.qname + labels_.at[label], q_.qname_length - labels_.at[label]);
    }

    // NS records below the apex delegate: the parent answers with a referral (§5, Gap). A DS
    // query for the cut itself belongs to the parent and is answered normally.
    bool refer() noexcept {
        for (int i = zone_label_ - 1; i >= 0; --i) {
            const Node* node = zone_->node(suffix(i));
            if (!node) return false;  // nothing at or below a missing name
            const RecordGroup* ns = node->find(kTypeNs);
            if (!ns || (i == 0 && q_.qtype == kTypeDs)) continue;
            ctx_.note([&] { return "delegation at " + ns->owner_text + ": referral"; });
            answer_.authoritative = false;
            ctx_.owner = reinterpret_cast<const uint8_t*>(node->name.data());
            const uint8_t before = answer_.authority.size;
            ns->policy_impl->select(*ns, ctx_, false, answer_.authority);
            mark_required(answer_.authority, before);
            add_glue(answer_.authority, suffix(i));
            return true;
        }
        return false;
    }

    void answer_node(const Node& node) noexcept {
        ctx_.owner = nullptr;
        const RecordGroup* group = nullptr;
        if (q_.qtype == kTypeAny) {
            // RFC 8482: one RRset of those present is a complete answer to ANY; take the first
            // that gives an answer for this client.
            for (const RecordGroup* g : node.groups)
                if (select(*g)) {
                    group = g;
                    break;
                }
        } else {
            group = node.find(q_.qtype);
            if (!group) group = node.find(kTypeCname);  // answered, never chased (§5)
            if (group && !select(*group)) group = nullptr;
        }
        if (!group) {
            ctx_.note([] { return std::string("no answer of this type: NODATA"); });
            negative();
            return;
        }
        bool apex_ns = group->type == kTypeNs && node.name.size() == zone_->apex.size();
        // The zone's NS set beside a positive answer is optional data (RFC 2181 §9).
        if (!apex_ns)
            push_apex(zone_->ns, answer_.authority, zone_->ns ? ttl_of(zone_->ns) : 0, false);
        add_glue(answer_.answer);
        add_glue(answer_.authority);
    }

    bool select(const RecordGroup& group) noexcept {
        ctx_.note([&] {
            return "record group " + group.owner_text + " " + group.type_text + " (" +
                   std::string(group.policy_impl->name()) + ", " +
                   std::to_string(group.records.size()) + " records)";
        });
        answer_.answer.size = 0;
        return group.policy_impl->select(group, ctx_, false, answer_.answer) &&
               answer_.answer.size > 0;
    }

    static uint32_t ttl_of(const RecordGroup* g) noexcept {
        return g->records.empty() ? 0 : g->records.front().values.ttl;
    }

    void push_apex(const RecordGroup* group, Section& section, uint32_t ttl,
                   bool required) noexcept {
        if (!group || group->records.empty() || group->records.front().values.size() == 0) return;
        const RRset& rrset = group->records.front().values;
        AnswerEntry e;
        e.rrset = &rrset;
        e.owner = zone_->apex.data();
        e.ttl = ttl;
        e.count = rrset.size();
        e.rotate = e.count > 1 ? static_cast<uint16_t>(ctx_.random.below(e.count)) : 0;
        e.required = required;
        section.push(e);
    }

    // The SOA says why there is no answer (RFC 2308): a negative answer cannot do without it.
    void negative() noexcept {
        push_apex(zone_->soa, answer_.authority, zone_->negative_ttl, true);
    }

    static void mark_required(Section& section, uint8_t from) noexcept {
        for (uint8_t i = from; i < section.size; ++i) section.entries[i].required = true;
    }

    // Known A/AAAA of NS, CNAME, MX and SRV targets inside the zone go in Additional (§5). For a
    // referral, the addresses of name servers at or below the cut (`delegation`) are required
    // glue (RFC 9471); the rest is optional.
    void add_glue(const Section& from, std::string_view delegation = {}) noexcept {
        uint8_t n = from.size;
        for (uint8_t i = 0; i < n; ++i) {
            const RRset* rrset = from.entries[i].rrset;
            for (uint16_t r = 0; r < rrset->size(); ++r) {
                uint16_t at =
                    r < rrset->additional_name_at.size() ? rrset->additional_name_at[r] : kNoName;
                if (at == kNoName) continue;
                add_target(rrset->rdata.data() + rrset->offsets[r] + 2 + at, delegation);
            }
        }
    }

    void add_target(const uint8_t* name, std::string_view delegation) noexcept {
        std::array<uint8_t, 256> lower;
        size_t length = wire_name_length(name);
        if (length > lower.size()) return;
        for (size_t i = 0; i < length; ++i)
            lower[i] =
                name[i] >= 'A' && name[i] <= 'Z' ? static_cast<uint8_t>(name[i] + 32) : name[i];
        const Node* node = zone_->node(as_view(lower.data(), length));
        if (!node) return;
        const bool in_domain =
            !delegation.empty() && at_or_below(as_view(lower.data(), length), delegation);
        for (uint16_t type : {kTypeA, kTypeAaaa}) {
            const RecordGroup* g = node->find(type);
            if (!g || seen(node, type)) continue;
            ctx_.owner = reinterpret_cast<const uint8_t*>(node->name.data());
            ctx_.note([&] { return "additional " + g->owner_text + " " + g->type_text; });
            const uint8_t before = answer_.additional.size;
            g->policy_impl->select(*g, ctx_, false, answer_.additional);
            if (in_domain) mark_required(answer_.additional, before);
        }
        ctx_.owner = nullptr;
    }

    // Whether wire name `name` equals `apex` or lies below it (both lower-case).
    static bool at_or_below(std::string_view name, std::string_view apex) noexcept {
        for (size_t at = 0; at < name.size(); at += 1u + static_cast<uint8_t>(name[at])) {
            if (name.size() - at == apex.size()) return name.substr(at) == apex;
            if (name[at] == 0) break;
        }
        return false;
    }

    bool seen(const Node* node, uint16_t type) const noexcept {
        for (uint8_t i = 0; i < answer_.additional.size; ++i) {
            const AnswerEntry& e = answer_.additional.entries[i];
            if (e.owner == reinterpret_cast<const uint8_t*>(node->name.data()) &&
                e.rrset->type == type)
                return true;
        }
        return false;
    }

    const Question& q_;
    const ZoneSet::Impl& impl_;
    EvalContext& ctx_;
    Answer& answer_;
    Labels labels_;
    const Zone* zone_ = nullptr;
    int zone_label_ = 0;
};

}  // namespace

void resolve(const Question& question, const ServingState& state, Random& random, Answer& answer,
             Trace* trace) noexcept {
    // Cheaper than Answer::clear(): only the sizes say what is valid.
    answer.rcode = Rcode::NoError;
    answer.authoritative = true;
    answer.answer.size = answer.authority.size = answer.additional.size = 0;
    answer.ecs_scope = 0;
    answer.zone_id = {};
    if (!state.zones || question.qname == nullptr) {
        answer.rcode = state.zones ? Rcode::FormErr : Rcode::ServFail;
        answer.authoritative = false;
        return;
    }
    EvalContext ctx(state.zones->impl(), state.health.get(), random, question, trace);
    Lookup(question, state.zones->impl(), ctx, answer).run();
    if (ctx.used_location) answer.ecs_scope = question.client.prefix_length;
}

}  // namespace r53::resolver
