#include "server/dns/query_processor.hpp"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>

#include "resolver/client_location.hpp"
#include "resolver/resolve.hpp"
#include "server/dns/query_log_hook.hpp"
#include "server/dns/wire_encode.hpp"

namespace r53::server {
namespace {

uint64_t random_seed() {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
}

uint16_t status_rcode(ParseStatus status) noexcept {
    switch (status) {
        case ParseStatus::FormErr:
            return kRcodeFormErr;
        case ParseStatus::NotImp:
            return kRcodeNotImp;
        case ParseStatus::BadVers:
            return kRcodeBadVers;
        default:
            return kRcodeServFail;
    }
}

// The answer's sections are reset without rewriting their 48-entry arrays.
void reset(resolver::Answer& answer) noexcept {
    answer.rcode = resolver::Rcode::NoError;
    answer.authoritative = true;
    answer.answer.size = answer.authority.size = answer.additional.size = 0;
    answer.ecs_scope = 0;
}

}  // namespace

bool is_loopback(const resolver::ClientAddress& address) noexcept {
    if (address.family == 4) return address.bytes[0] == 127;
    if (address.family != 6) return false;
    for (int i = 0; i < 15; ++i)
        if (address.bytes[i] != 0) return false;
    return address.bytes[15] == 1;
}

bool parse_client_address(const char* text, resolver::ClientAddress& out) noexcept {
    // Without an error string the parser does not allocate, so it cannot throw.
    auto cidr = resolver::Cidr::parse(text);
    if (!cidr) return false;
    out = resolver::to_client_address(*cidr);
    return true;
}

QueryProcessor::QueryProcessor(StateHolder& holder, unsigned worker_index) noexcept
    : holder_(holder), worker_index_(worker_index), random_(random_seed()) {}

// Per-config settings are cached so the query path never parses strings.
void QueryProcessor::follow_config(const resolver::ServingState& state) noexcept {
    const config::Config* config = state.config.get();
    if (config == seen_config_) return;
    seen_config_ = config;
    has_default_client_ = false;
    if (config == nullptr) return;
    const auto& local = config->local;
    if (local.default_client_address)
        has_default_client_ =
            parse_client_address(local.default_client_address->c_str(), default_client_);
    // A fixed seed restarts the sequence only when its value changes, not on every reload.
    if (local.routing_seed) {
        if (!fixed_seed_ || seed_ != *local.routing_seed) {
            fixed_seed_ = true;
            seed_ = *local.routing_seed;
            random_ = resolver::Random(seed_ + worker_index_);
        }
    } else if (fixed_seed_) {
        fixed_seed_ = false;
        random_ = resolver::Random(random_seed());
    }
}

resolver::ClientAddress QueryProcessor::client_for(
    const resolver::ClientAddress& source) const noexcept {
    if (has_default_client_ && is_loopback(source)) return default_client_;
    return source;
}

size_t QueryProcessor::process(std::span<const uint8_t> query,
                               const resolver::ClientAddress& source, Transport transport,
                               std::span<uint8_t> out) noexcept {
    const auto started = std::chrono::steady_clock::now();
    const int64_t received_ns = query_ring_ ? query_log_now_ns() : 0;
    std::string_view zone_id;
    QueryCounters& counters = thread_query_counters();
    const ParseStatus status = parse_query(query, parsed_);
    EncodeResult result;
    uint16_t rcode = 0;
    if (status == ParseStatus::Drop) {
        counters.dropped.add();
        return 0;
    }
    if (status != ParseStatus::Ok) {
        rcode = status_rcode(status);
        if (status == ParseStatus::FormErr) counters.formerr.add();
        result = encode_error(parsed_, rcode, out);
    } else {
        const resolver::ServingState& state = holder_.local();
        if (!state.zones || !state.config) {
            rcode = kRcodeServFail;
            result = encode_error(parsed_, rcode, out);
        } else {
            follow_config(state);
            resolver::Question question;
            question.qname = parsed_.qname_lower.data();
            question.qname_length = parsed_.qname_length;
            question.qtype = parsed_.qtype;
            question.qclass = parsed_.qclass;
            const EdnsInfo& edns = parsed_.edns;
            if (edns.has_client_subnet) {
                question.client.family = edns.subnet_family == 1 ? 4 : 6;
                question.client.prefix_length = edns.subnet_source_prefix;
                question.client.bytes = edns.subnet_address;
                question.client_from_ecs = true;
            } else {
                question.client = client_for(source);
            }
            reset(answer_);
            resolver::resolve(question, state, random_, answer_);
            rcode = static_cast<uint16_t>(answer_.rcode);
            zone_id = answer_.zone_id;
            const size_t limit =
                transport == Transport::Udp ? udp_response_limit(parsed_) : kTcpLimit;
            result = encode_response(parsed_, answer_, out, limit);
        }
    }
    counters.count_answer(parsed_.has_question ? parsed_.qtype : 0, rcode, transport);
    if (result.truncated) counters.truncated.add();
    if (query_ring_)
        log_query(*query_ring_, received_ns, parsed_, zone_id, rcode, transport, source);
    counters.observe_latency(std::chrono::steady_clock::now() - started);
    return result.size;
}

}  // namespace r53::server
