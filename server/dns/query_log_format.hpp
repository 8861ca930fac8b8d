// Route 53's query-log format (Developer Guide, "Values that appear in DNS query logs"): one line
// per query, the fields in Route 53's order separated by spaces,
//
//   1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -
//
// version, timestamp, hosted zone ID, query name, query type, response code, protocol, edge
// location, resolver IP, EDNS client subnet; or the same fields as one JSON object per line.
// Runs off the query path: it allocates.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "server/dns/query_log_record.hpp"
#include "server/dns/query_log_ring.hpp"

namespace r53::server {

enum class QueryLogFormat { Text, Json };

// Formats entries straight into a line buffer, reusing the date of the last second: what the
// file writer runs for every query (the QueryRecord path below allocates a string per field).
class QueryLineWriter {
  public:
    // Appends the line without its newline.
    void append(const QueryLogEntry& entry, QueryLogFormat format, std::string& out);
    void append_timestamp(std::string& out, int64_t time_ns);

  private:
    int64_t cached_second_ = std::numeric_limits<int64_t>::min();
    std::string second_text_;
    std::string field_;
};

QueryRecord to_record(const QueryLogEntry& entry);
std::string format_text(const QueryRecord& record);  // without the newline
std::string format_json(const QueryRecord& record);  // without the newline

// "A", "AAAA", ... or "TYPE<n>" for types without a mnemonic here; "NOERROR", ... or "RCODE<n>".
std::string qtype_text(uint16_t qtype);
std::string rcode_text(uint16_t rcode);
// The name as Route 53 logs it: labels joined by dots, no final dot ("." for the root); a byte
// other than a letter, digit, '-' or '_' becomes a backslash and three octal digits.
std::string query_name_text(const uint8_t* wire, size_t length);
// 2017-12-13T08:16:02.130Z
std::string iso_timestamp(int64_t time_ns);

}  // namespace r53::server
