#include "resolver/explain.hpp"

#include <chrono>
#include <cstring>

#include "resolver/client_location.hpp"
#include "resolver/describe.hpp"
#include "resolver/ldns.hpp"
#include "resolver/names.hpp"
#include "resolver/resolve.hpp"
#include "resolver/zone_set.hpp"

namespace r53::resolver {
namespace {

std::optional<uint16_t> parse_qtype(const std::string& text) {
    ldns_rr_type t = ldns_get_rr_type_by_name(text.c_str());
    if (t == 0 && text != "TYPE0") return std::nullopt;
    return static_cast<uint16_t>(t);
}

}  // namespace

ExplainResult explain(const ServingState* state, const std::string& name, const std::string& type,
                      const std::string& client) {
    ExplainResult out;
    auto wire = to_wire_name(name);
    if (!wire) {
        out.error = "not a valid domain name: " + name;
        return out;
    }
    auto qtype = parse_qtype(type);
    if (!qtype) {
        out.error = "unknown record type: " + type;
        return out;
    }
    if (!state || !state->zones) {
        out.error = "no config is being served";
        return out;
    }
    // As on the DNS path: a client given explicitly, else where loopback queries come from.
    std::string client_text = client;
    if (client_text.empty())
        client_text = state->config->local.default_client_address.value_or("127.0.0.1");
    Question q;
    q.qname = wire->data();
    q.qname_length = static_cast<uint8_t>(wire->size());
    q.qtype = *qtype;
    std::string why;
    auto cidr = Cidr::parse(client_text, &why);
    if (!cidr) {
        out.error = "client must be an IPv4 or IPv6 address or prefix: " + why;
        return out;
    }
    q.client = to_client_address(*cidr);
    out.client = client_text;
    Random random(state->config->local.routing_seed.value_or(
        static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())));
    Answer answer;
    Trace trace;
    resolve(q, *state, random, answer, &trace);
    auto described = describe(answer, q);
    out.ok = true;
    out.rcode = rcode_name(answer.rcode);
    out.authoritative = answer.authoritative;
    out.answer = std::move(described.answer);
    out.authority = std::move(described.authority);
    out.additional = std::move(described.additional);
    out.trace = std::move(trace.steps);
    return out;
}

}  // namespace r53::resolver
