// Seed change batches (`serve --seed-dir DIR`): the JSON a user would give
// `aws route53 change-resource-record-sets`, applied over the config's zones at every load, so
// a container starts with the records a project's setup script would otherwise create.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/change_batch.hpp"
#include "config/loader_internal.hpp"
#include "config/yaml_util.hpp"

namespace r53::config {

namespace fs = std::filesystem;

namespace {

bool is_within(const std::string& name, const std::string& zone) {
    if (name == zone) return true;
    return name.size() > zone.size() &&
           name.compare(name.size() - zone.size(), zone.size(), zone) == 0 &&
           name[name.size() - zone.size() - 1] == '.';
}

// The zone a batch without HostedZoneId belongs to: the deepest configured zone holding its
// first record's name (a batch changes one zone; apply_change_batch refuses names outside it).
HostedZone* zone_for_names(const ChangeBatch& batch, Config& config) {
    if (batch.changes.empty()) return nullptr;
    const std::string& name = batch.changes.front().record_set.name;
    HostedZone* best = nullptr;
    for (auto& zone : config.zones)
        if (is_within(name, zone.name) && (!best || zone.name.size() > best->name.size()))
            best = &zone;
    return best;
}

void apply_seed_file(const fs::path& path, Config& config, const ChangeContext& cc,
                     Diagnostics& diagnostics) {
    const std::string file = path.string();
    auto problem = [&](int line, std::string message) {
        diagnostics.push_back({{file, line}, kInvalidConfig, std::move(message), Severity::Error});
    };
    std::ifstream in(path, std::ios::binary);
    if (!in) return problem(0, "cannot read seed change batch");
    std::ostringstream text;
    text << in.rdbuf();
    ParseContext ctx;
    ctx.file = file;
    ctx.diagnostics = &diagnostics;
    ctx.lenient = cc.lenient;
    YAML::Node root;
    try {
        root = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
        return problem(e.mark.line + 1, "Invalid JSON: " + e.msg);
    }
    auto batch = parse_change_batch(root, ctx);
    if (!batch) return;
    HostedZone* zone = nullptr;
    if (root.IsMap() && root["HostedZoneId"].IsDefined()) {
        std::string id = root["HostedZoneId"].Scalar();
        if (id.rfind("/hostedzone/", 0) == 0) id.erase(0, 12);
        auto it = std::find_if(config.zones.begin(), config.zones.end(),
                               [&](const HostedZone& z) { return z.id == id; });
        if (it == config.zones.end())
            return problem(root["HostedZoneId"].Mark().line + 1,
                           "NoSuchHostedZone: the config has no hosted zone with id " + id);
        zone = &*it;
    } else {
        zone = zone_for_names(*batch, config);
        if (!zone) {
            std::string name = batch->changes.empty() ? std::string("(no changes)")
                                                      : batch->changes.front().record_set.name;
            return problem(batch->where.line,
                           "no hosted zone in the config holds " + name +
                               "; add it under hosted_zones or give HostedZoneId");
        }
    }
    // An alias in a seed may lead into any other configured zone, as in the REST API (§3).
    std::vector<const HostedZone*> others;
    for (const auto& z : config.zones)
        if (&z != zone) others.push_back(&z);
    ChangeContext zone_cc = cc;
    zone_cc.other_zones = &others;
    auto ds = apply_change_batch(*zone, std::move(*batch), zone_cc);
    for (auto& d : ds) {
        if (d.where.file.empty()) d.where.file = file;
        diagnostics.push_back(std::move(d));
    }
}

}  // namespace

void apply_seed_dir(const std::string& dir, Config& config, const ChangeContext& cc,
                    Diagnostics& diagnostics) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        diagnostics.push_back({{dir, 0},
                               kInvalidConfig,
                               "the seed directory does not exist or is not a directory",
                               Severity::Error});
        return;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".json")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) apply_seed_file(f, config, cc, diagnostics);
}

}  // namespace r53::config
