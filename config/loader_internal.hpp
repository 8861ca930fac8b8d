// Pieces of the YAML loader shared between its source files.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "config/change_batch.hpp"
#include "config/diagnostic.hpp"
#include "config/model.hpp"
#include "config/parse.hpp"

namespace r53::config {

// The `local:` section. Later documents (files of a config directory) add to lists; a single
// setting given differently by two files is an error (the loader checks before parsing).
void parse_local_settings(const YAML::Node& node, const ParseContext& ctx, LocalSettings& local);

// One entry of `health_checks:` (id -> {CallerReference, HealthCheckConfig, local}).
std::optional<HealthCheck> parse_health_check_entry(const std::string& id, const YAML::Node& node,
                                                    const ParseContext& ctx);

// Rules across checks and settings: CALCULATED children, alias-target HealthCheckIds.
void check_references(const Config& config, const ParseContext& ctx,
                      const std::set<std::string>& unparsed_health_checks);

// The aws CLI's own usage errors for the create-health-check and change-resource-record-sets
// commands among `args` (unknown options, missing required ones), code "CliUsage".
Diagnostics cli_usage_problems(const std::vector<CliArgument>& args, const std::string& file);

bool valid_ip_address(const std::string& text);

// LoadOptions::seed_dir: every *.json change batch in `dir`, in name order, applied to the zone
// its HostedZoneId names or else the configured zone holding its first name (seeds.cpp).
void apply_seed_dir(const std::string& dir, Config& config, const ChangeContext& cc,
                    Diagnostics& diagnostics);

}  // namespace r53::config
