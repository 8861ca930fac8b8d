// Hosted zones (semantics §6): Create/Get/List/ListByName/Delete/Count/UpdateComment, GetChange.
#include <algorithm>

#include "config/parse.hpp"
#include "config/zone_defaults.hpp"
#include "server/control/control.hpp"
#include "server/route53_api/internal.hpp"
#include "server/route53_api/xml.hpp"
#include "server/store/shapes.hpp"
#include "server/store/store.hpp"

namespace r53::server::route53 {
namespace json = boost::json;

json::object hosted_zone_json(const ZoneEntry& z) {
    json::object config;
    if (!z.comment.empty()) config["Comment"] = z.comment;
    config["PrivateZone"] = false;
    return json::object{
        {"Id", "/hostedzone/" + z.zone.id},
        {"Name", z.zone.name},
        {"CallerReference", z.caller_reference},
        {"Config", std::move(config)},
        {"ResourceRecordSetCount", static_cast<int64_t>(z.zone.record_sets.size())}};
}

json::object delegation_set_json(const ZoneEntry& z) {
    json::array servers;
    for (const auto& r : z.zone.record_sets)
        if (r.name == z.zone.name && r.type == "NS")
            for (std::string v : r.resource_records) {
                if (!v.empty() && v.back() == '.') v.pop_back();
                servers.push_back(json::value(v));
            }
    if (servers.empty())  // Terraform reads NameServers[0]
        for (std::string v : config::default_name_servers(z.zone.name)) {
            if (!v.empty() && v.back() == '.') v.pop_back();
            servers.push_back(json::value(v));
        }
    return json::object{{"NameServers", std::move(servers)}};
}

namespace {

std::string missing_member(const std::string& member) {
    return "1 validation error detected: Value null at '" + member +
           "' failed to satisfy constraint: Member must not be null";
}

bool valid_zone_name(const std::string& name) {
    if (name.size() < 2 || name.size() > 255) return false;
    size_t start = 0;
    while (start < name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string::npos) return false;  // normalized names end with a dot
        size_t len = dot - start;
        if (len == 0 || len > 63) return false;
        start = dot + 1;
    }
    return true;
}

HttpResponse create_zone(Request& rq) {
    HttpResponse error;
    auto body = read_body(rq, error);
    if (!body) return error;
    std::string raw_name = scalar(*body, "Name");
    std::string reference = scalar(*body, "CallerReference");
    if (raw_name.empty()) return invalid_input(missing_member("name"), rq.version());
    if (reference.empty()) return invalid_input(missing_member("callerReference"), rq.version());
    if (reference.size() > 128)
        return invalid_input("1 validation error detected: Value '" + reference +
                                 "' at 'callerReference' failed to satisfy constraint: Member "
                                 "must have length less than or equal to 128",
                             rq.version());
    std::string comment;
    if (YAML::Node cfg = (*body)["HostedZoneConfig"]; cfg.IsDefined() && cfg.IsMap()) {
        comment = scalar(cfg, "Comment");
        if (scalar(cfg, "PrivateZone") == "true")
            return invalid_input(
                "r53sim simulates public hosted zones only: PrivateZone must be "
                "false",
                rq.version());
    }
    if ((*body)["VPC"].IsDefined())
        return invalid_input("r53sim simulates public hosted zones only: VPC is not supported",
                             rq.version());
    std::string name = config::normalize_dns_name(raw_name);
    if (!valid_zone_name(name))
        return aws_error(http::status::bad_request, "InvalidDomainName",
                         raw_name + " is not a valid domain name.", rq.version());

    Mutation mutation(rq);
    const View& view = mutation.view();
    if (view.state->zone_references.count(reference))
        return aws_error(http::status::conflict, "HostedZoneAlreadyExists",
                         "A hosted zone has already been created with the specified caller "
                         "reference.",
                         rq.version());
    for (const auto& z : view.zones())
        if (z.zone.name == name)
            return aws_error(http::status::bad_request, "ConflictingDomainExists",
                             "r53sim serves one hosted zone per name, and " + name +
                                 " is already hosted zone " + z.zone.id + ".",
                             rq.version());
    auto next = mutation.next();
    ZoneEntry entry;
    do {
        entry.zone.id = random_id('Z', 20);
    } while (view.zone(entry.zone.id) || next->deleted_zones.count(entry.zone.id));
    entry.zone.name = name;
    entry.zone.where.file = "route53-api";
    entry.zone.record_sets = {config::default_soa(name), config::default_ns(name)};
    entry.caller_reference = reference;
    entry.comment = comment;
    next->zones[entry.zone.id] = entry;
    next->zone_references[reference] = entry.zone.id;
    auto change = record_change(*next, "");
    if (auto failed = mutation.publish(next)) return *failed;

    auto res = xml_reply(http::status::created, "CreateHostedZoneResponse",
                         {{"HostedZone", hosted_zone_json(entry)},
                          {"ChangeInfo", change_info(rq, change, true)},
                          {"DelegationSet", delegation_set_json(entry)}},
                         rq.version());
    res.set(http::field::location, rq.location("hostedzone/" + entry.zone.id));
    return res;
}

HttpResponse list_zones(Request& rq) {
    HttpResponse error;
    auto limit = max_items(rq, 100, 100, error);
    if (!limit) return error;
    auto zones = rq.control.store().view().zones();
    auto body = marker_page(
        rq, zones, *limit, "HostedZones", [](const auto& z) { return z.zone.id; },
        [](const auto& z) { return hosted_zone_json(z); });
    return xml_reply(http::status::ok, "ListHostedZonesResponse", body, rq.version());
}

HttpResponse list_zones_by_name(Request& rq) {
    HttpResponse error;
    auto limit = max_items(rq, 100, 100, error);
    if (!limit) return error;
    auto zones = rq.control.store().view().zones();
    auto key = [](const std::string& name, const std::string& id) {
        return std::make_pair(reversed_labels(name), id);
    };
    std::sort(zones.begin(), zones.end(), [&](const ZoneEntry& a, const ZoneEntry& b) {
        return key(a.zone.name, a.zone.id) < key(b.zone.name, b.zone.id);
    });
    auto dns_name = rq.query("dnsname");
    auto zone_id = rq.query("hostedzoneid");
    if (zone_id && !dns_name)
        return invalid_input("The input is not valid: hostedzoneid requires dnsname.",
                             rq.version());
    size_t i = 0;
    if (dns_name) {
        auto start = key(config::normalize_dns_name(*dns_name), zone_id.value_or(""));
        while (i < zones.size() && key(zones[i].zone.name, zones[i].zone.id) < start) ++i;
    }
    json::array out;
    for (; i < zones.size() && out.size() < *limit; ++i) out.push_back(hosted_zone_json(zones[i]));
    json::object body{{"HostedZones", std::move(out)}};
    if (dns_name) body["DNSName"] = *dns_name;
    if (zone_id) body["HostedZoneId"] = *zone_id;
    body["IsTruncated"] = i < zones.size();
    if (i < zones.size()) {
        body["NextDNSName"] = zones[i].zone.name;
        body["NextHostedZoneId"] = zones[i].zone.id;
    }
    body["MaxItems"] = std::to_string(*limit);
    return xml_reply(http::status::ok, "ListHostedZonesByNameResponse", body, rq.version());
}

HttpResponse get_zone(Request& rq, const std::string& id) {
    auto zone = rq.control.store().view().zone(id);
    if (!zone) return no_such_zone(id, rq.version());
    return xml_reply(
        http::status::ok, "GetHostedZoneResponse",
        {{"HostedZone", hosted_zone_json(*zone)}, {"DelegationSet", delegation_set_json(*zone)}},
        rq.version());
}

HttpResponse delete_zone(Request& rq, const std::string& id) {
    HttpResponse error;
    Mutation mutation(rq);
    auto zone = mutation.zone(id, error);
    if (!zone) return error;
    for (const auto& r : zone->zone.record_sets)
        if (!(r.name == zone->zone.name && (r.type == "SOA" || r.type == "NS")))
            return aws_error(http::status::bad_request, "HostedZoneNotEmpty",
                             "The specified hosted zone contains non-required resource record "
                             "sets and so cannot be deleted.",
                             rq.version());
    auto next = mutation.next();
    next->zones.erase(id);
    if (zone->from_file) next->deleted_zones.insert(id);
    next->tags.erase("hostedzone/" + id);
    auto change = record_change(*next, "");
    if (auto failed = mutation.publish(next)) return *failed;
    return xml_reply(http::status::ok, "DeleteHostedZoneResponse",
                     {{"ChangeInfo", change_info(rq, change, true)}}, rq.version());
}

HttpResponse update_comment(Request& rq, const std::string& id) {
    HttpResponse error;
    auto body = read_body(rq, error);
    if (!body) return error;
    Mutation mutation(rq);
    auto zone = mutation.zone(id, error);
    if (!zone) return error;
    zone->comment = scalar(*body, "Comment");
    auto next = mutation.next();
    next->zones[id] = *zone;
    if (auto failed = mutation.publish(next)) return *failed;
    return xml_reply(http::status::ok, "UpdateHostedZoneCommentResponse",
                     {{"HostedZone", hosted_zone_json(*zone)}}, rq.version());
}

HttpResponse get_change(Request& rq, const std::string& id) {
    auto view = rq.control.store().view();
    auto it = view.state->changes.find(id);
    if (it == view.state->changes.end())
        return aws_error(http::status::not_found, "NoSuchChange",
                         "A change with the specified change ID does not exist.", rq.version());
    return xml_reply(http::status::ok, "GetChangeResponse",
                     {{"ChangeInfo", change_info(rq, it->second, false)}}, rq.version());
}

}  // namespace

HttpResponse handle_zone_request(Request& rq) {
    const auto& s = rq.segments;
    const auto m = rq.method();
    if (s[0] == "hostedzone" && s.size() == 1) {
        if (m == http::verb::post) return create_zone(rq);
        if (m == http::verb::get) return list_zones(rq);
    } else if (s[0] == "hostedzone" && s.size() == 2) {
        if (m == http::verb::get) return get_zone(rq, s[1]);
        if (m == http::verb::delete_) return delete_zone(rq, s[1]);
        if (m == http::verb::post) return update_comment(rq, s[1]);
    } else if (s[0] == "hostedzonesbyname" && s.size() == 1 && m == http::verb::get) {
        return list_zones_by_name(rq);
    } else if (s[0] == "hostedzonecount" && s.size() == 1 && m == http::verb::get) {
        auto count = static_cast<int64_t>(rq.control.store().view().zones().size());
        return xml_reply(http::status::ok, "GetHostedZoneCountResponse",
                         {{"HostedZoneCount", count}}, rq.version());
    } else if (s[0] == "change" && s.size() == 2 && m == http::verb::get) {
        return get_change(rq, s[1]);
    }
    return unknown_operation(rq);
}

}  // namespace r53::server::route53
