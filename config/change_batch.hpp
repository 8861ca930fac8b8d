// ChangeResourceRecordSets semantics (semantics §4): whole-batch validation, atomic apply.
// Shared by config loading (change-batch files) and, later, the REST API.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/model.hpp"

namespace r53::config {

enum class ChangeAction { Create, Delete, Upsert };

struct Change {
    ChangeAction action = ChangeAction::Create;
    ResourceRecordSet record_set;
};

struct ChangeBatch {
    std::string comment;
    std::vector<Change> changes;
    SourceLocation where;
};

// Validates the whole batch against `zone` and, only if nothing is wrong, applies it in order.
// On error the zone is untouched and every problem is returned (InvalidChangeBatch messages are
// the per-change texts; the REST layer joins them as "[m1, m2]").
Diagnostics apply_change_batch(HostedZone& zone, const ChangeBatch& batch,
                               const std::vector<HealthCheck>& health_checks, bool lenient = false);

// What a batch is validated against besides the zone itself. Alias targets outside the zone are
// valid only when listed in `alias_targets` (their local stand-in); null lists count as empty.
struct ChangeContext {
    const std::vector<HealthCheck>* health_checks = nullptr;
    const std::vector<AwsAliasTarget>* alias_targets = nullptr;
    const std::vector<CidrCollection>* cidr_collections = nullptr;
    // The hosted zones served beside this one: an alias whose HostedZoneId names one of them
    // resolves there (§3). Null: none.
    const std::vector<const HostedZone*>* other_zones = nullptr;
    // Leave alias targets to check_alias_targets (config/alias_targets.hpp), run once every zone
    // is known: a config file's zones may refer to one another in any order.
    bool defer_alias_targets = false;
    // Ids of health checks that are written but failed to parse: their own errors are the root
    // problem, so a record that names one is not reported again as NoSuchHealthCheck.
    const std::set<std::string>* unparsed_health_checks = nullptr;
    bool lenient = false;
    // Per-request quotas (§4: 1,000 ResourceRecord elements, 32,000 value characters, UPSERT
    // counted twice). Off for the records a config file lists, which form no API request.
    bool request_limits = true;
};
Diagnostics apply_change_batch(HostedZone& zone, const ChangeBatch& batch,
                               const ChangeContext& context);
// The same, taking the batch's record sets into the zone instead of copying them.
Diagnostics apply_change_batch(HostedZone& zone, ChangeBatch&& batch, const ChangeContext& context);

// "[Action=UPSERT, Name=app.example.com., Type=A, SetIdentifier=us-east-1-active]"
std::string change_label(const Change& change);

// Problem with one presentation-format value of `type`, in Route 53's words
// ("Invalid Resource Record: 'FATAL problem: ...'"), or nullopt when the value is valid.
std::optional<std::string> rdata_problem(const std::string& type, const std::string& value);

}  // namespace r53::config
