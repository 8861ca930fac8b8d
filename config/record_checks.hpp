// Field-level rules of one ResourceRecordSet that need no other record: the DNS name and the
// routing fields (GeoLocation, GeoProximityLocation, CidrRoutingConfig).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace r53::config {

struct Problem {
    const char* code;
    std::string message;
};

// `label` is change_label() of the change, for the "in Change with [...]" suffix.
std::vector<Problem> routing_field_problems(const ResourceRecordSet& r, const std::string& label,
                                            const std::vector<CidrCollection>* collections);

// Empty labels, labels over 63 octets, names over 255 octets, in Route 53's FATAL-problem form.
std::optional<std::string> dns_name_problem(const std::string& absolute_name);

}  // namespace r53::config
