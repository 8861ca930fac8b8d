// RDATA validation with ldns, worded as Route 53's "Invalid Resource Record" messages (§4).
// clang-format off
#include <stdbool.h>  // first: without it ldns/common.h #defines bool, breaking <optional>
#include <ldns/ldns.h>
// clang-format on

#include "config/change_batch.hpp"

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

// TXT/SPF: Route 53's own words for the two mistakes ldns does not catch the same way.
std::optional<std::string> character_string_problem(const std::string& value) {
    bool quoted = false;
    size_t run = 0;
    for (size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (c == '\\' && i + 1 < value.size()) {
            ++i;
            ++run;
        } else if (c == '"') {
            quoted = !quoted;
            run = 0;
        } else if (quoted || c != ' ') {
            ++run;
        } else {
            run = 0;
        }
        if (run > 255) return "CharacterStringTooLong (Value is too long)";
    }
    if (quoted) return "UnbalancedQuotes (Value has unbalanced quotes)";
    return std::nullopt;
}

}  // namespace

std::optional<std::string> rdata_problem(const std::string& type, const std::string& value) {
    if (type == "TXT" || type == "SPF")
        if (auto problem = character_string_problem(value))
            return "Invalid Resource Record: 'FATAL problem: " + *problem + " encountered with '" +
                   value + "''";
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
