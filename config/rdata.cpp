// RDATA validation with ldns, worded as Route 53's "Invalid Resource Record" messages (§4).
// clang-format off
#include <stdbool.h>  // first: without it ldns/common.h #defines bool, breaking <optional>
#include <ldns/ldns.h>
// clang-format on

#include "config/change_batch.hpp"
#include "config/character_string.hpp"

namespace r53::config {

namespace {

// Route 53 only quotes the A form (ARRDATAIllegalIPv4Address); the others follow its pattern.
std::string problem_name(const std::string& type, std::string& explanation, ldns_status status) {
    if (type == "A") {
        explanation = "Value is not a valid IPv4 address";
        return "ARRDATAIllegalIPv4Address";
    }
    if (type == "AAAA") {
        explanation = "Value is not a valid IPv6 address";
        return "AAAARRDATAIllegalIPv6Address";
    }
    explanation = "Value is not a valid " + type + " record: " + ldns_get_errorstr_by_id(status);
    return type + "RRDATAIllegal";
}

}  // namespace

std::optional<std::string> rdata_problem(const std::string& type, const std::string& value) {
    // Route 53's own escapes (octal \ooo): never through ldns, which reads \DDD as decimal.
    if (uses_character_strings(type)) {
        std::vector<uint8_t> rdata;
        auto problem = to_rdata(type, value, rdata);
        if (!problem) return std::nullopt;
        return "Invalid Resource Record: 'FATAL problem: " + problem->code + " (" +
               problem->explanation + ") encountered with '" + value + "''";
    }
    ldns_status status = LDNS_STATUS_OK;
    if (value.empty() || value.find_first_of("\n\r") != std::string::npos) {
        status = LDNS_STATUS_SYNTAX_ERR;
    } else {
        std::string text = "r53sim.invalid. 300 IN " + type + " " + value;
        ldns_rdf* origin = ldns_dname_new_frm_str(".");
        ldns_rr* rr = nullptr;
        status = ldns_rr_new_frm_str(&rr, text.c_str(), 300, origin, nullptr);
        // ldns fills missing trailing fields with nothing; Route 53 wants them all.
        if (status == LDNS_STATUS_OK && rr) {
            const ldns_rr_descriptor* d = ldns_rr_descript(ldns_rr_get_type(rr));
            if (d && ldns_rr_rd_count(rr) < ldns_rr_descriptor_minimum(d))
                status = LDNS_STATUS_SYNTAX_RDATA_ERR;
        }
        if (rr) ldns_rr_free(rr);
        ldns_rdf_deep_free(origin);
    }
    if (status == LDNS_STATUS_OK) return std::nullopt;
    std::string explanation;
    std::string name = problem_name(type, explanation, status);
    return "Invalid Resource Record: 'FATAL problem: " + name + " (" + explanation +
           ") encountered with '" + value + "''";
}

}  // namespace r53::config
