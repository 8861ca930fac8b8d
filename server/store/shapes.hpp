// Route 53 shapes as JSON objects in AWS's member order (botocore model). The same objects are
// rendered as XML replies and written as the --state-dir file, and read back through the config
// module's parsers, so a restored record or check is validated like any other.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "config/diagnostic.hpp"
#include "config/model.hpp"

namespace r53::server::route53 {

boost::json::object record_set_json(const config::ResourceRecordSet& r);
boost::json::object health_check_config_json(const config::HealthCheckConfig& c);

std::optional<config::ResourceRecordSet> record_set_from_json(const boost::json::value& v,
                                                              config::Diagnostics& diagnostics);
std::optional<config::HealthCheckConfig> health_check_config_from_json(
    const boost::json::value& v, config::Diagnostics& diagnostics);

std::string health_check_type_name(config::HealthCheckType t);

// "www.example.com." -> "com.example.www": ListResourceRecordSets and ListHostedZonesByName order.
std::string reversed_labels(const std::string& name);

}  // namespace r53::server::route53
