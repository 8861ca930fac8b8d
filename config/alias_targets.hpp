// Where an AliasTarget leads (semantics §3) and what Route 53 says when it leads nowhere. Shared
// by change batches (config files and the REST API alike) and the config loader's check across
// zones.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/model.hpp"

namespace r53::config {

// The problem with the alias record `alias` of zone `own` in AWS's words, or nullopt when its
// target exists: a record of the same name and type in the served zone its HostedZoneId names
// (`own`, whose records are `own_records`, or one of `others`), or a local stand-in for an AWS
// resource in `aws` (found by DNSName: AWS's service zone ids, such as CloudFront's
// Z2FDTNDATAQYW2, name no served zone). Null lists count as empty.
std::optional<std::string> alias_target_problem(const ResourceRecordSet& alias,
                                                const HostedZone& own,
                                                const std::vector<ResourceRecordSet>& own_records,
                                                const std::vector<const HostedZone*>* others,
                                                const std::vector<AwsAliasTarget>* aws);

// alias_target_problem for every alias of `config`, as InvalidChangeBatch errors at the record's
// file and line. A config file's zones may refer to one another in any order, so the loader runs
// this once the last zone is read. Aliases into the zones whose ids are in `skipped` are not
// checked (their records may be missing because of those zones' own errors).
Diagnostics check_alias_targets(const Config& config, const std::set<std::string>& skipped = {});

}  // namespace r53::config
