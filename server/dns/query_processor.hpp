// One query, bytes in to bytes out: parse, read the snapshot, resolve, encode, count.
// One instance per worker thread (it owns the worker's Random and scratch Answer); no socket,
// no heap, no lock in steady state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "resolver/answer.hpp"
#include "resolver/question.hpp"
#include "resolver/random.hpp"
#include "server/dns/query_counters.hpp"
#include "server/dns/query_log_ring.hpp"
#include "server/dns/state_holder.hpp"
#include "server/dns/wire_parse.hpp"

namespace r53::server {

class QueryProcessor {
  public:
    // `worker_index` offsets a configured routing_seed so workers draw different sequences.
    QueryProcessor(StateHolder& holder, unsigned worker_index) noexcept;

    // Writes the response into `out` and returns its size; 0 = send nothing (QR=1, runt).
    // `source` is the packet's source address (family 4 or 6, full-length prefix).
    size_t process(std::span<const uint8_t> query, const resolver::ClientAddress& source,
                   Transport transport, std::span<uint8_t> out) noexcept;

    // Every answered query is copied into this worker's ring (the query log); nullptr = off.
    void set_query_ring(QueryRing* ring) noexcept { query_ring_ = ring; }

    // The last parsed query and answer, for tests.
    const ParsedQuery& last_query() const noexcept { return parsed_; }
    const resolver::Answer& last_answer() const noexcept { return answer_; }

  private:
    void follow_config(const resolver::ServingState& state) noexcept;
    resolver::ClientAddress client_for(const resolver::ClientAddress& source) const noexcept;

    StateHolder& holder_;
    unsigned worker_index_;
    resolver::Random random_;
    bool fixed_seed_ = false;
    uint64_t seed_ = 0;
    const void* seen_config_ = nullptr;  // the Config the cached settings below came from
    bool has_default_client_ = false;
    resolver::ClientAddress default_client_;
    ParsedQuery parsed_;
    resolver::Answer answer_;
    QueryRing* query_ring_ = nullptr;
};

bool is_loopback(const resolver::ClientAddress& address) noexcept;

// "192.0.2.1", "2001:db8::1", optionally with "/prefix". False if it is neither.
bool parse_client_address(const char* text, resolver::ClientAddress& out) noexcept;

}  // namespace r53::server
