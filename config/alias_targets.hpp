// Where an AliasTarget leads (semantics §3) and what Route 53 says when it leads nowhere. Shared
// by change batches (config files and the REST API alike) and the config loader's check across
// zones.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/model.hpp"

namespace r53::config {

// Whether `zone` holds a record set of this name and type. A change batch looks in its own zone's
// records as the batch leaves them (through its index); the loader looks in sets it builds once.
using RecordLookup =
    std::function<bool(const HostedZone& zone, const std::string& name, const std::string& type)>;

// The problem with the alias record `alias` of zone `own` in AWS's words, or nullopt when its
// target exists: a record of the same name and type in the served zone its HostedZoneId names
// (`own` or one of `others`, whose records `has` looks up), or a local stand-in for an AWS
// resource in `aws` (found by DNSName: AWS's service zone ids, such as CloudFront's
// Z2FDTNDATAQYW2, name no served zone). Null lists count as empty.
std::optional<std::string> alias_target_problem(const ResourceRecordSet& alias,
                                                const HostedZone& own, const RecordLookup& has,
                                                const std::vector<const HostedZone*>* others,
                                                const std::vector<AwsAliasTarget>* aws);

// alias_target_problem for every alias of `config`, as InvalidChangeBatch errors at the record's
// file and line. A config file's zones may refer to one another in any order, so the loader runs
// this once the last zone is read. Aliases into the zones whose ids are in `skipped` are not
// checked (their records may be missing because of those zones' own errors).
Diagnostics check_alias_targets(const Config& config, const std::set<std::string>& skipped = {});

}  // namespace r53::config
