// ChangeResourceRecordSets semantics (semantics §4): whole-batch validation, atomic apply.
// Shared by config loading (change-batch files) and, later, the REST API.
#pragma once

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

}  // namespace r53::config
