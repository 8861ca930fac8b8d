// Record sets (semantics §4, §6): ChangeResourceRecordSets through the config module's whole-batch
// validator, ListResourceRecordSets in Route 53's order with its paging.
#include <algorithm>
#include <string_view>
#include <tuple>
#include <unordered_set>

#include "config/change_batch.hpp"
#include "config/parse.hpp"
#include "server/control/control.hpp"
#include "server/route53_api/internal.hpp"
#include "server/route53_api/xml.hpp"
#include "server/store/shapes.hpp"
#include "server/store/store.hpp"

namespace r53::server::route53 {
namespace json = boost::json;

namespace {

using SortKey = std::tuple<std::string, std::string, std::string>;

SortKey sort_key(const config::ResourceRecordSet& r) {
    return {reversed_labels(r.name), r.type, r.set_identifier.value_or("")};
}

// Health checks drop their references when deleted (records then count as unchecked), so the
// stored zone can name checks that are gone; the validator would take those for the change's.
void forget_deleted_checks(config::HostedZone& zone,
                           const std::vector<config::HealthCheck>& checks) {
    std::unordered_set<std::string_view> ids;
    for (const auto& c : checks) ids.insert(c.id);
    for (auto& r : zone.record_sets)
        if (r.health_check_id && !ids.count(*r.health_check_id)) r.health_check_id.reset();
}

HttpResponse change_record_sets(Request& rq, const std::string& id) {
    HttpResponse error;
    auto body = read_body(rq, error);
    if (!body) return error;

    Mutation mutation(rq);
    const View& view = mutation.view();
    auto zone = mutation.zone(id, error);
    if (!zone) return error;

    config::Diagnostics ds;
    config::ParseContext ctx;
    ctx.file = "ChangeResourceRecordSetsRequest";
    ctx.diagnostics = &ds;
    auto batch = config::parse_change_batch(*body, ctx);
    if (!batch || config::has_errors(ds)) return diagnostics_error(ds, rq.version());

    std::vector<config::HealthCheck> checks;
    for (const auto& c : view.checks()) checks.push_back(c.check);
    config::ChangeContext context;
    context.health_checks = &checks;
    if (view.file) {
        context.alias_targets = &view.file->local.alias_targets;
        context.cidr_collections = &view.file->local.cidr_collections;
    }
    // An alias may resolve in another served zone its HostedZoneId names (§3).
    const std::vector<route53::ZoneEntry> served = view.zones();
    std::vector<const config::HostedZone*> other_zones;
    for (const auto& z : served)
        if (z.zone.id != zone->zone.id) other_zones.push_back(&z.zone);
    context.other_zones = &other_zones;
    config::HostedZone changed = zone->zone;
    forget_deleted_checks(changed, checks);
    const std::string comment = batch->comment;
    ds = config::apply_change_batch(changed, std::move(*batch), context);
    if (config::has_errors(ds)) return diagnostics_error(ds, rq.version());

    auto next = mutation.next();
    ZoneEntry entry = *zone;
    entry.zone = std::move(changed);
    next->zones[id] = std::move(entry);
    auto change = record_change(*next, comment);
    if (auto failed = mutation.publish(next)) return *failed;
    return xml_reply(http::status::ok, "ChangeResourceRecordSetsResponse",
                     {{"ChangeInfo", change_info(rq, change, true)}}, rq.version());
}

HttpResponse list_record_sets(Request& rq, const std::string& id) {
    HttpResponse error;
    auto limit = max_items(rq, 300, 300, error);
    if (!limit) return error;
    auto zone = rq.control.store().view().zone(id);
    if (!zone) return no_such_zone(id, rq.version());
    auto name = rq.query("name");
    auto type = rq.query("type");
    auto identifier = rq.query("identifier");
    if (type && !name)
        return invalid_input(
            "The input is not valid: a record type (type) requires a record "
            "name (name).",
            rq.version());
    if (identifier && !type)
        return invalid_input(
            "The input is not valid: a set identifier (identifier) requires a "
            "record name (name) and type (type).",
            rq.version());

    std::vector<const config::ResourceRecordSet*> records;
    for (const auto& r : zone->zone.record_sets) records.push_back(&r);
    std::sort(records.begin(), records.end(),
              [](const auto* a, const auto* b) { return sort_key(*a) < sort_key(*b); });
    size_t i = 0;
    if (name) {
        SortKey start{reversed_labels(config::normalize_dns_name(*name)), type.value_or(""),
                      identifier.value_or("")};
        while (i < records.size() && sort_key(*records[i]) < start) ++i;
    }
    json::array out;
    for (; i < records.size() && out.size() < *limit; ++i)
        out.push_back(record_set_json(*records[i]));
    json::object body{{"ResourceRecordSets", std::move(out)}};
    body["IsTruncated"] = i < records.size();
    if (i < records.size()) {
        body["NextRecordName"] = records[i]->name;
        body["NextRecordType"] = records[i]->type;
        if (records[i]->set_identifier) body["NextRecordIdentifier"] = *records[i]->set_identifier;
    }
    body["MaxItems"] = std::to_string(*limit);
    return xml_reply(http::status::ok, "ListResourceRecordSetsResponse", body, rq.version());
}

}  // namespace

HttpResponse handle_record_request(Request& rq) {
    const std::string& id = rq.segments[1];
    if (rq.method() == http::verb::post) return change_record_sets(rq, id);
    if (rq.method() == http::verb::get) return list_record_sets(rq, id);
    return unknown_operation(rq);
}

}  // namespace r53::server::route53
