// YAML (and change-batch JSON) -> validated Config. Every problem is collected; nothing throws.
#pragma once

#include <string>
#include <string_view>

#include "config/diagnostic.hpp"
#include "config/model.hpp"

namespace r53::config {

struct LoadOptions {
    // Accept the known mistakes of the two-region example (Weight with Failover, RequestTimeout,
    // fewer than 3 Regions) as warnings, each saying how it is interpreted.
    bool lenient = false;
    // Also warn about what the real Route 53 would refuse and r53sim allows (private and
    // loopback health-check addresses, §8.30), each with AWS's reason. `r53sim check` does.
    bool aws_refusals = false;
    // A directory of change batches (*.json, in name order) applied after the config's own
    // records, each to the zone its HostedZoneId names or else the configured zone that holds
    // its first record's name. Empty: none. A directory without batches is no error.
    std::string seed_dir;
};

struct LoadResult {
    ConfigPtr config;  // null when diagnostics has errors
    Diagnostics diagnostics;
};

// Path "-" reads stdin; a directory loads every *.yaml / *.yml in it, in name order, as one config
// (a zone, health check or local setting defined in two files is an error naming both).
LoadResult load_config_file(const std::string& path, const LoadOptions& = {});
LoadResult load_config_text(std::string_view yaml, const std::string& file_name,
                            const LoadOptions& = {});

// `r53sim check --change-batch FILE`: a change batch as given to change-resource-record-sets,
// validated alone (as AWS would, against an empty zone that has only its SOA and NS).
Diagnostics check_change_batch_file(const std::string& path, const LoadOptions& = {});

// `r53sim check --health-check-config ARG`: JSON, or the aws CLI shorthand
// `Type=HTTPS,Port=443,...`, validated as the aws CLI and then AWS would.
Diagnostics check_health_check_config(std::string_view arg, const LoadOptions& = {});

}  // namespace r53::config
