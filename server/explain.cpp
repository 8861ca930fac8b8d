// /v1/explain: the same resolve() the DNS path runs, with a trace.
#include <arpa/inet.h>

#include <cstring>

#include "resolver/describe.hpp"
#include "resolver/ldns.hpp"
#include "resolver/names.hpp"
#include "resolver/zone_set.hpp"
#include "server/app.hpp"
#include "server/log.hpp"
#include "server/state_holder.hpp"

namespace r53::server {
namespace {

std::optional<uint16_t> parse_qtype(const std::string& text) {
    ldns_rr_type t = ldns_get_rr_type_by_name(text.c_str());
    if (t == 0 && text != "TYPE0") return std::nullopt;
    return static_cast<uint16_t>(t);
}

bool parse_client(const std::string& text, resolver::ClientAddress& out) {
    if (inet_pton(AF_INET, text.c_str(), out.bytes.data()) == 1) {
        out.family = 4;
        out.prefix_length = 32;
        return true;
    }
    if (inet_pton(AF_INET6, text.c_str(), out.bytes.data()) == 1) {
        out.family = 6;
        out.prefix_length = 128;
        return true;
    }
    return false;
}

}  // namespace

ExplainResult App::explain(const std::string& name, const std::string& type,
                           const std::string& client) const {
    ExplainResult out;
    auto wire = resolver::to_wire_name(name);
    if (!wire) {
        out.error = "not a valid domain name: " + name;
        return out;
    }
    auto qtype = parse_qtype(type);
    if (!qtype) {
        out.error = "unknown record type: " + type;
        return out;
    }
    auto state = holder_->current();
    if (!state || !state->zones) {
        out.error = "no config is being served";
        return out;
    }
    // As on the DNS path: a client given explicitly, else where loopback queries come from.
    std::string client_text = client;
    if (client_text.empty())
        client_text = state->config->local.default_client_address.value_or("127.0.0.1");
    resolver::Question q;
    q.qname = wire->data();
    q.qname_length = static_cast<uint8_t>(wire->size());
    q.qtype = *qtype;
    if (!parse_client(client_text, q.client)) {
        out.error = "client must be an IPv4 or IPv6 address: " + client_text;
        return out;
    }
    out.client = client_text;
    resolver::Random random(state->config->local.routing_seed.value_or(
        static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())));
    resolver::Answer answer;
    resolver::Trace trace;
    resolver::resolve(q, *state, random, answer, &trace);
    auto described = resolver::describe(answer, q);
    out.ok = true;
    out.rcode = resolver::rcode_name(answer.rcode);
    out.authoritative = answer.authoritative;
    out.answer = std::move(described.answer);
    out.authority = std::move(described.authority);
    out.additional = std::move(described.additional);
    out.trace = std::move(trace.steps);
    if (log_enabled(LogLevel::Debug)) {
        std::string steps;
        for (const auto& step : out.trace) steps += (steps.empty() ? "" : "; ") + step;
        log(LogLevel::Debug, "explain", "explain " + name + " " + type,
            {{"client", client_text}, {"rcode", out.rcode}, {"trace", steps}});
    }
    return out;
}

}  // namespace r53::server
