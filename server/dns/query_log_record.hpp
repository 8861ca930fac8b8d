// One logged DNS query in presentation form, with the fields of Route 53's query log in its
// order, and the filter of GET /v1/queries. Plain data: the control and admin rooms name it
// without linking the DNS room.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace r53::server {

inline constexpr const char* kQueryLogVersion = "1.0";
// Route 53 names the edge location that answered (an airport code and a number, "FRA6"); a
// local server has one location.
inline constexpr const char* kQueryLogEdgeLocation = "LCL1";

struct QueryRecord {
    int64_t time_ns = 0;             // for ordering and `since`
    std::string timestamp;           // ISO 8601 UTC with milliseconds: 2017-12-13T08:16:02.130Z
    std::string hosted_zone_id;      // "-" when no hosted zone answered (REFUSED)
    std::string query_name;          // as sent, without the final dot, octal escapes (\052)
    std::string query_type;          // "A", "AAAA", ..., "TYPE65280"
    std::string response_code;       // "NOERROR", "NXDOMAIN", ...
    std::string protocol;            // "UDP" or "TCP"
    std::string edge_location;       // kQueryLogEdgeLocation
    std::string resolver_ip;         // the packet's source address
    std::string edns_client_subnet;  // "192.0.2.0/24", or "-" when the query carried none
};

// The file writer's counts, for /metrics.
struct QueryLogStats {
    uint64_t written = 0;  // lines written to the file
    uint64_t lost = 0;     // entries overwritten (or without a file) before the writer reached them
    uint64_t reopens = 0;  // times the file was opened again (SIGHUP)
};

// GET /v1/queries?name=&type=&since=&limit=
struct QueryFilter {
    std::string name;      // case-insensitive, with or without the final dot; empty = any
    std::string type;      // mnemonic, case-insensitive; empty = any
    int64_t since_ns = 0;  // only queries at or after this time
    size_t limit = 100;    // the last `limit` matches
};

}  // namespace r53::server
