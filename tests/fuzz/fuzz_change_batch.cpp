// Change-batch JSON -> parse_change_batch_text -> apply_change_batch against a zone holding its
// SOA and NS: never throws; a rejected batch leaves the zone untouched (semantics §4, atomic).
#include <string_view>
#include <vector>

#include "config/change_batch.hpp"
#include "config/parse.hpp"
#include "config/zone_defaults.hpp"
#include "fuzz_common.hpp"

namespace {

using namespace r53::config;

bool same_records(const HostedZone& a, const HostedZone& b) {
    if (a.record_sets.size() != b.record_sets.size()) return false;
    for (size_t i = 0; i < a.record_sets.size(); ++i) {
        const auto& x = a.record_sets[i];
        const auto& y = b.record_sets[i];
        if (x.name != y.name || x.type != y.type || x.resource_records != y.resource_records)
            return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const bool lenient = (data[0] & 1) != 0;
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    Diagnostics diagnostics;
    ParseContext ctx;
    ctx.file = "fuzz-batch.json";
    ctx.diagnostics = &diagnostics;
    ctx.lenient = lenient;
    auto batch = parse_change_batch_text(text, ctx);
    if (!batch) return 0;

    HostedZone zone;
    zone.id = "ZFUZZ";
    zone.name = "example.com.";
    zone.record_sets = {default_soa(zone.name), default_ns(zone.name)};
    const HostedZone before = zone;
    std::vector<HealthCheck> checks(1);
    checks[0].id = "hc-1";
    ChangeContext context;
    context.health_checks = &checks;
    context.lenient = lenient;
    auto problems = apply_change_batch(zone, *batch, context);
    if (has_errors(problems)) FUZZ_CHECK(same_records(zone, before));
    for (const auto& change : batch->changes) (void)change_label(change);
    return 0;
}
