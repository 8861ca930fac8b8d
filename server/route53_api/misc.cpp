// Tags (Terraform reads them on every zone and check) and TestDNSAnswer, which runs the same
// routing core as the DNS listeners so its answer always agrees with dig.
#include <algorithm>
#include <sstream>

#include "config/ip_prefix.hpp"
#include "config/parse.hpp"
#include "server/control/control.hpp"
#include "server/route53_api/internal.hpp"
#include "server/route53_api/xml.hpp"
#include "server/store/store.hpp"

namespace r53::server::route53 {
namespace json = boost::json;

namespace {

json::object tag_set_json(const std::string& type, const std::string& id,
                          const std::map<std::string, std::string>& tags) {
    json::array list;
    for (const auto& [k, v] : tags) list.push_back(json::object{{"Key", k}, {"Value", v}});
    return json::object{{"ResourceType", type}, {"ResourceId", id}, {"Tags", std::move(list)}};
}

// NoSuchHostedZone / NoSuchHealthCheck for an unknown resource, InvalidInput for another type.
std::optional<HttpResponse> check_resource(const Request& rq, const View& view,
                                           const std::string& type, const std::string& id) {
    if (type == "hostedzone") {
        if (!view.zone(id)) return no_such_zone(id, rq.version());
    } else if (type == "healthcheck") {
        if (!view.check(id)) return no_such_check(id, rq.version());
    } else {
        return invalid_input("1 validation error detected: Value '" + type +
                                 "' at 'resourceType' failed to satisfy constraint: Member must "
                                 "satisfy enum value set: [healthcheck, hostedzone]",
                             rq.version());
    }
    return std::nullopt;
}

const std::map<std::string, std::string>& tags_of(const View& view, const std::string& key) {
    static const std::map<std::string, std::string> none;
    auto it = view.state->tags.find(key);
    return it == view.state->tags.end() ? none : it->second;
}

HttpResponse change_tags(Request& rq, const std::string& type, const std::string& id) {
    HttpResponse error;
    auto body = read_body(rq, error);
    if (!body) return error;
    Mutation mutation(rq);
    const View& view = mutation.view();
    if (auto bad = check_resource(rq, view, type, id)) return *bad;
    auto next = mutation.next();
    auto& tags = next->tags[type + "/" + id];
    if (YAML::Node add = (*body)["AddTags"]; add.IsDefined())
        for (const auto& tag : add)
            if (tag.IsMap()) tags[scalar(tag, "Key")] = scalar(tag, "Value");
    if (YAML::Node remove = (*body)["RemoveTagKeys"]; remove.IsDefined())
        for (const auto& key : remove)
            if (key.IsScalar()) tags.erase(key.Scalar());
    if (tags.size() > 50)
        return invalid_input("The number of tags on the resource would exceed 50.", rq.version());
    if (tags.empty()) next->tags.erase(type + "/" + id);
    if (auto failed = mutation.publish(next)) return *failed;
    return empty_reply(http::status::ok, "ChangeTagsForResourceResponse", rq.version());
}

HttpResponse list_tags_for_resources(Request& rq, const std::string& type) {
    HttpResponse error;
    auto body = read_body(rq, error);
    if (!body) return error;
    auto view = rq.control.store().view();
    json::array sets;
    if (YAML::Node ids = (*body)["ResourceIds"]; ids.IsDefined())
        for (const auto& item : ids) {
            std::string id = item.IsScalar() ? item.Scalar() : "";
            if (auto bad = check_resource(rq, view, type, id)) return *bad;
            sets.push_back(tag_set_json(type, id, tags_of(view, type + "/" + id)));
        }
    return xml_reply(http::status::ok, "ListTagsForResourcesResponse",
                     {{"ResourceTagSets", std::move(sets)}}, rq.version());
}

// "app.example.com. 60 IN A 192.0.2.10" -> "192.0.2.10"
std::string rdata_of(const std::string& rr) {
    std::istringstream in(rr);
    std::string owner, ttl, klass, type;
    in >> owner >> ttl >> klass >> type;
    std::string rest;
    std::getline(in, rest);
    size_t start = rest.find_first_not_of(" \t");
    return start == std::string::npos ? std::string() : rest.substr(start);
}

// The ECS address with the bits outside the mask cleared, as a resolver would send it.
std::optional<std::string> masked_address(const std::string& ip, std::optional<std::string> mask) {
    auto address = config::parse_ip_prefix(ip, config::PrefixForm::AddressOnly);
    if (!address) return std::nullopt;
    // TestDNSAnswer takes the address and the mask apart (default /24, /64: §2.4), so the
    // address may well carry host bits: they are cleared, not refused.
    const unsigned full = address->family == 4 ? 32 : 128;
    unsigned length = address->family == 4 ? 24 : 64;
    if (mask) {
        if (mask->empty() || mask->size() > 3 ||
            mask->find_first_not_of("0123456789") != std::string::npos)
            return std::nullopt;
        length = static_cast<unsigned>(std::stoul(*mask));
        if (length > full) return std::nullopt;
    }
    config::IpPrefix block = *address;
    block.length = static_cast<uint8_t>(length);
    block = config::without_host_bits(block);
    block.length = static_cast<uint8_t>(full);  // printed as the bare address
    return block.to_string();
}

}  // namespace

HttpResponse handle_tag_request(Request& rq) {
    const auto& s = rq.segments;
    if (s.size() == 2 && rq.method() == http::verb::post) return list_tags_for_resources(rq, s[1]);
    if (s.size() != 3) return unknown_operation(rq);
    const std::string& type = s[1];
    const std::string& id = s[2];
    if (rq.method() == http::verb::post) return change_tags(rq, type, id);
    if (rq.method() != http::verb::get) return unknown_operation(rq);
    auto view = rq.control.store().view();
    if (auto bad = check_resource(rq, view, type, id)) return *bad;
    return xml_reply(http::status::ok, "ListTagsForResourceResponse",
                     {{"ResourceTagSet", tag_set_json(type, id, tags_of(view, type + "/" + id))}},
                     rq.version());
}

HttpResponse handle_test_dns_answer(Request& rq) {
    auto zone_id = rq.query("hostedzoneid");
    auto name = rq.query("recordname");
    auto type = rq.query("recordtype");
    if (!zone_id || !name || !type)
        return invalid_input(
            "1 validation error detected: hostedzoneid, recordname and "
            "recordtype are required",
            rq.version());
    auto zone = rq.control.store().view().zone(*zone_id);
    if (!zone) return no_such_zone(*zone_id, rq.version());

    // §2.4: the ECS prefix if given (default mask /24, /64 for IPv6), else the resolver's address.
    std::string client;
    if (auto ecs = rq.query("edns0clientsubnetip")) {
        auto masked = masked_address(*ecs, rq.query("edns0clientsubnetmask"));
        if (!masked)
            return invalid_input("Invalid request: EDNS0ClientSubnetIP/EDNS0ClientSubnetMask " +
                                     *ecs + "/" + rq.query("edns0clientsubnetmask").value_or("") +
                                     " is not a valid subnet",
                                 rq.version());
        client = *masked;
    } else if (auto resolver = rq.query("resolverip")) {
        client = *resolver;
    }
    std::string qname = config::normalize_dns_name(*name);
    auto result = rq.control.explain(qname, *type, client);
    if (!result.ok) return invalid_input("Invalid request: " + result.error, rq.version());

    json::array data;
    for (const auto& rr : result.answer) data.push_back(json::value(rdata_of(rr)));
    std::string nameserver =
        delegation_set_json(*zone)["NameServers"].as_array().at(0).as_string().c_str();
    return xml_reply(http::status::ok, "TestDNSAnswerResponse",
                     {{"Nameserver", nameserver},
                      {"RecordName", *name},
                      {"RecordType", *type},
                      {"RecordData", std::move(data)},
                      {"ResponseCode", result.rcode.empty() ? "NOERROR" : result.rcode},
                      {"Protocol", "UDP"}},
                     rq.version());
}

}  // namespace r53::server::route53
