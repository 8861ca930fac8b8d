// YAML config -> validated Config, and the stand-alone checks of `r53sim check`.
#include "config/loader.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <unordered_map>

#include "config/alias_targets.hpp"
#include "config/change_batch.hpp"
#include "config/loader_internal.hpp"
#include "config/parse.hpp"
#include "config/yaml_util.hpp"
#include "config/zone_defaults.hpp"

namespace r53::config {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_file(const std::string& path) {
    if (path == "-") {
        std::ostringstream s;
        s << std::cin.rdbuf();
        return s.str();
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Document {
    YAML::Node root;
    std::string file;
};

class Loader {
  public:
    explicit Loader(const LoadOptions& options) : options_(options) {}

    void add_text(std::string_view text, const std::string& file) {
        try {
            YAML::Node root = YAML::Load(std::string(text));
            if (root.IsNull() || !root.IsDefined()) return;
            documents_.push_back({root, file});
        } catch (const YAML::Exception& e) {
            diagnostics_.push_back({{file, e.mark.line + 1},
                                    kInvalidConfig,
                                    "YAML syntax error: " + e.msg,
                                    Severity::Error});
        }
    }
    void add_problem(const std::string& file, std::string message) {
        diagnostics_.push_back({{file, 0}, kInvalidConfig, std::move(message), Severity::Error});
    }

    LoadResult finish() {
        auto config = std::make_shared<Config>();
        check_local_conflicts();
        for (const auto& doc : documents_) {
            ParseContext ctx = context(doc.file);
            MapReader top(doc.root, ctx, "the config file",
                          {"hosted_zones", "health_checks", "local"}, FieldStyle::Local);
            if (!top.is_map()) continue;
            if (top.has("local")) parse_local_settings(top.node("local"), ctx, config->local);
            if (top.has("health_checks"))
                add_health_checks(top.node("health_checks"), ctx, *config);
        }
        std::sort(config->health_checks.begin(), config->health_checks.end(),
                  [](const HealthCheck& a, const HealthCheck& b) { return a.id < b.id; });
        check_references(*config, context(""), unparsed_health_checks_);
        for (const auto& doc : documents_) {
            if (!doc.root.IsMap() || !doc.root["hosted_zones"].IsDefined()) continue;
            add_zones(doc.root["hosted_zones"], context(doc.file), *config);
        }
        // Alias targets, once every zone is read (an alias may lead into a later zone). One into
        // a zone with errors of its own is left alone: its target may be missing only because of
        // them.
        append(check_alias_targets(*config, zones_with_errors_));
        if (!options_.seed_dir.empty() && !has_errors(diagnostics_)) {
            ChangeContext cc;
            cc.health_checks = &config->health_checks;
            cc.unparsed_health_checks = &unparsed_health_checks_;
            cc.alias_targets = &config->local.alias_targets;
            cc.cidr_collections = &config->local.cidr_collections;
            cc.lenient = options_.lenient;
            apply_seed_dir(options_.seed_dir, *config, cc, diagnostics_);
        }
        LoadResult result;
        result.diagnostics = std::move(diagnostics_);
        if (!has_errors(result.diagnostics)) result.config = std::move(config);
        return result;
    }

  private:
    // Files of a config directory add to lists (endpoints, alias targets, ...), but a single
    // setting two files give differently has no right answer: name both instead of letting the
    // later file win silently.
    void check_local_conflicts() {
        std::map<std::string, std::pair<std::string, SourceLocation>> seen;  // path -> value, where
        std::function<void(const YAML::Node&, const std::string&, const std::string&)> walk =
            [&](const YAML::Node& node, const std::string& path, const std::string& file) {
                if (node.IsMap()) {
                    for (const auto& kv : node)
                        walk(kv.second, path + "." + kv.first.Scalar(), file);
                    return;
                }
                if (!node.IsScalar()) return;
                SourceLocation here{file, node.Mark().line + 1};
                auto [it, fresh] = seen.try_emplace(path, node.Scalar(), here);
                if (fresh || it->second.second.file == file || it->second.first == node.Scalar())
                    return;
                const auto& first = it->second.second;
                diagnostics_.push_back({here, kInvalidConfig,
                                        path + " is " + node.Scalar() + " here but " +
                                            it->second.first + " in " + first.file + ":" +
                                            std::to_string(first.line) +
                                            " (files of a config directory must not disagree)",
                                        Severity::Error});
            };
        for (const auto& doc : documents_) {
            if (!doc.root.IsMap()) continue;
            const YAML::Node local = doc.root["local"];
            if (local.IsDefined() && local.IsMap()) walk(local, "local", doc.file);
        }
    }

    ParseContext context(const std::string& file) {
        ParseContext ctx;
        ctx.file = file;
        ctx.diagnostics = &diagnostics_;
        ctx.lenient = options_.lenient;
        ctx.aws_refusals = options_.aws_refusals;
        return ctx;
    }

    void add_health_checks(const YAML::Node& node, const ParseContext& ctx, Config& config) {
        if (!node.IsMap()) {
            ctx.error(node, kInvalidConfig, "health_checks must map health check ids to checks");
            return;
        }
        for (const auto& kv : node) {
            std::string id = kv.first.Scalar();
            if (auto dup = check_positions_.find(id); dup != check_positions_.end()) {
                const SourceLocation& first = config.health_checks[dup->second].where;
                ctx.error(kv.first, kInvalidConfig,
                          "health check '" + id + "' is defined twice (first at " + first.file +
                              ":" + std::to_string(first.line) + ")");
                continue;
            }
            if (auto h = parse_health_check_entry(id, kv.second, ctx)) {
                check_positions_.emplace(id, config.health_checks.size());
                config.health_checks.push_back(std::move(*h));
            } else
                unparsed_health_checks_.insert(id);
        }
    }

    void add_zones(const YAML::Node& list, const ParseContext& ctx, Config& config) {
        if (!list.IsSequence()) {
            ctx.error(list, kInvalidConfig, "hosted_zones must be a list");
            return;
        }
        for (size_t i = 0; i < list.size(); ++i) add_zone(list[i], i, ctx, config);
    }

    size_t error_count() const {
        return std::count_if(diagnostics_.begin(), diagnostics_.end(),
                             [](const Diagnostic& d) { return d.severity == Severity::Error; });
    }

    void add_zone(const YAML::Node& node, size_t index, const ParseContext& ctx, Config& config) {
        const std::string path = "hosted_zones[" + std::to_string(index) + "]";
        const size_t errors_before = error_count();
        MapReader m(node, ctx, path, {"Name", "Id", "ResourceRecordSets", "ChangeBatches"},
                    FieldStyle::Local);
        auto name = m.string("Name", true);
        auto id = m.string("Id");
        if (!name) return;
        HostedZone zone;
        zone.name = normalize_dns_name(*name);
        zone.where = ctx.at(node);
        zone.id = id ? *id : derive_zone_id(zone.name);
        if (zone.id.rfind("/hostedzone/", 0) == 0) zone.id.erase(0, 12);
        if (zone.id.empty() || zone.id.size() > 32)
            ctx.error(m.node("Id"), kInvalidInput,
                      constraint_message(zone.id, "id",
                                         "Member must have length less than or "
                                         "equal to 32"));
        for (const auto& other : config.zones) {
            if (other.name == zone.name)
                ctx.error(node, kInvalidConfig,
                          "hosted zone " + zone.name + " is defined twice (first at " +
                              other.where.file + ":" + std::to_string(other.where.line) + ")");
            if (other.id == zone.id)
                ctx.error(m.node("Id"), kInvalidConfig,
                          "hosted zone id " + zone.id + " is used by " + other.name + " and " +
                              zone.name);
        }

        ChangeBatch initial;
        initial.where = zone.where;
        bool user_soa = false, user_ns = false, records_ok = true;
        YAML::Node records = m.node("ResourceRecordSets");
        if (records.IsDefined() && !records.IsSequence()) {
            ctx.error(records, kInvalidConfig, path + ".ResourceRecordSets must be a list");
            records_ok = false;
        } else if (records.IsDefined()) {
            initial.changes.reserve(records.size());
            for (size_t j = 0; j < records.size(); ++j) {
                auto r = parse_resource_record_set(
                    records[j], ctx, path + ".ResourceRecordSets[" + std::to_string(j) + "]");
                if (!r) {
                    records_ok = false;
                    continue;
                }
                user_soa = user_soa || (r->name == zone.name && r->type == "SOA");
                user_ns = user_ns || (r->name == zone.name && r->type == "NS");
                initial.changes.push_back({ChangeAction::Create, std::move(*r)});
            }
        }
        if (!user_soa) zone.record_sets.push_back(default_soa(zone.name, zone.where));
        if (!user_ns) zone.record_sets.push_back(default_ns(zone.name, zone.where));

        ChangeContext cc;
        cc.health_checks = &config.health_checks;
        cc.unparsed_health_checks = &unparsed_health_checks_;
        cc.alias_targets = &config.local.alias_targets;
        cc.cidr_collections = &config.local.cidr_collections;
        cc.lenient = options_.lenient;
        cc.defer_alias_targets = true;
        cc.request_limits = false;
        if (!initial.changes.empty() && records_ok)
            append(apply_change_batch(zone, std::move(initial), cc));
        cc.request_limits = true;

        YAML::Node batches = m.node("ChangeBatches");
        if (batches.IsDefined() && !batches.IsSequence())
            ctx.error(batches, kInvalidConfig,
                      path + ".ChangeBatches must be a list of file names");
        else if (batches.IsDefined())
            for (const auto& b : batches) apply_batch_file(b, ctx, zone, cc);
        if (error_count() > errors_before) zones_with_errors_.insert(zone.id);
        config.zones.push_back(std::move(zone));
    }

    void apply_batch_file(const YAML::Node& entry, const ParseContext& ctx, HostedZone& zone,
                          const ChangeContext& cc) {
        if (!entry.IsScalar()) {
            ctx.error(entry, kInvalidConfig, "ChangeBatches entries must be file names");
            return;
        }
        std::string file = entry.Scalar();
        if (file.rfind("file://", 0) == 0) file.erase(0, 7);
        fs::path p(file);
        if (p.is_relative() && !ctx.file.empty() && ctx.file != "-")
            p = fs::path(ctx.file).parent_path() / p;
        auto text = read_file(p.string());
        if (!text) {
            ctx.error(entry, kInvalidConfig, "cannot read change batch file " + p.string());
            return;
        }
        ParseContext inner = ctx;
        inner.file = p.string();
        if (auto batch = parse_change_batch_text(*text, inner))
            append(apply_change_batch(zone, *batch, cc));
    }

    void append(Diagnostics ds) {
        for (auto& d : ds) diagnostics_.push_back(std::move(d));
    }

    LoadOptions options_;
    std::vector<Document> documents_;
    Diagnostics diagnostics_;
    std::set<std::string> unparsed_health_checks_;  // written, but failed to parse
    // Where each parsed check sits in Config::health_checks (before the sort by id), so that a
    // repeated id is found without scanning every check.
    std::unordered_map<std::string, size_t> check_positions_;
    std::set<std::string> zones_with_errors_;  // ids of zones that failed to load cleanly
};

// The zone a stand-alone change batch is checked against: the longest common suffix of its record
// names, minus the first label while that is itself a record name (app.example.com. ->
// example.com.), so that records are not mistaken for the apex.
std::string infer_zone_name(const std::vector<ChangeBatch>& batches) {
    std::vector<std::string> names;
    for (const auto& b : batches)
        for (const auto& c : b.changes) names.push_back(c.record_set.name);
    if (names.empty()) return "example.com.";
    std::string suffix = names[0];
    for (const auto& n : names) {
        while (!suffix.empty() &&
               !(n == suffix || (n.size() > suffix.size() &&
                                 n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0 &&
                                 n[n.size() - suffix.size() - 1] == '.'))) {
            auto dot = suffix.find('.');
            suffix = dot == std::string::npos ? "" : suffix.substr(dot + 1);
        }
    }
    auto labels = [](const std::string& s) { return std::count(s.begin(), s.end(), '.'); };
    while (labels(suffix) > 2 && std::find(names.begin(), names.end(), suffix) != names.end())
        suffix = suffix.substr(suffix.find('.') + 1);
    return suffix.empty() || suffix == "." ? "example.com." : suffix;
}

bool looks_like_cli_text(const std::string& text) {
    return text.find("--change-batch") != std::string::npos ||
           text.find("--health-check-config") != std::string::npos;
}

Diagnostics check_health_check_node(const YAML::Node& node, const ParseContext& ctx) {
    YAML::Node config = node;
    if (node.IsMap() && node["HealthCheckConfig"].IsDefined()) {
        MapReader outer(node, ctx, "input", {"CallerReference", "HealthCheckConfig"},
                        FieldStyle::Aws);
        config.reset(node["HealthCheckConfig"]);
    }
    LocalCheckSettings local;
    parse_health_check_config(config, ctx, &local);
    return {};
}

// A --health-check-config value: JSON, or the shorthand.
void check_health_check_argument(const std::string& value, const ParseContext& ctx) {
    auto first = value.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || value[first] != '{') {
        check_health_check_node(YAML::Node(value.substr(first == std::string::npos ? 0 : first)),
                                ctx);
        return;
    }
    try {
        check_health_check_node(YAML::Load(value), ctx);
    } catch (const YAML::Exception& e) {
        if (ctx.diagnostics)
            ctx.diagnostics->push_back({{ctx.file, e.mark.line + 1 + ctx.line_offset},
                                        "MalformedInput",
                                        "Error parsing parameter '--health-check-config': Invalid "
                                        "JSON: " +
                                            e.msg,
                                        Severity::Error});
    }
}

}  // namespace

LoadResult load_config_text(std::string_view yaml, const std::string& file_name,
                            const LoadOptions& options) {
    Loader loader(options);
    loader.add_text(yaml, file_name);
    return loader.finish();
}

LoadResult load_config_file(const std::string& path, const LoadOptions& options) {
    Loader loader(options);
    std::error_code ec;
    if (path != "-" && fs::is_directory(path, ec)) {
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(path, ec)) {
            auto ext = entry.path().extension().string();
            if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml"))
                files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        if (files.empty()) loader.add_problem(path, "no *.yaml or *.yml files in directory");
        for (const auto& f : files) {
            if (auto text = read_file(f.string()))
                loader.add_text(*text, f.string());
            else
                loader.add_problem(f.string(), "cannot read file");
        }
        return loader.finish();
    }
    auto text = read_file(path);
    if (!text) {
        loader.add_problem(path, "cannot read file");
        return loader.finish();
    }
    loader.add_text(*text, path);
    return loader.finish();
}

Diagnostics check_change_batch_file(const std::string& path, const LoadOptions& options) {
    Diagnostics diagnostics;
    ParseContext ctx;
    ctx.file = path;
    ctx.diagnostics = &diagnostics;
    ctx.lenient = options.lenient;
    auto text = read_file(path);
    if (!text) {
        diagnostics.push_back({{path, 0}, kInvalidConfig, "cannot read file", Severity::Error});
        return diagnostics;
    }
    // Batches per hosted zone id, in the order the text gives them.
    std::vector<std::pair<std::string, std::vector<ChangeBatch>>> zones;
    auto add_batch = [&](const std::string& zone_id, ChangeBatch b) {
        auto it = std::find_if(zones.begin(), zones.end(),
                               [&](const auto& z) { return z.first == zone_id; });
        if (it == zones.end()) it = zones.insert(zones.end(), {zone_id, {}});
        it->second.push_back(std::move(b));
    };
    if (looks_like_cli_text(*text)) {
        auto args = extract_cli_arguments(*text);
        for (auto& d : cli_usage_problems(args, path)) diagnostics.push_back(std::move(d));
        for (const auto& arg : args) {
            if (!arg.has_value) continue;
            ParseContext inner = ctx;
            inner.line_offset = arg.line - 1;
            inner.fallback_line = arg.line;
            if (arg.option == "health-check-config") check_health_check_argument(arg.value, inner);
            if (arg.option != "change-batch") continue;
            std::string zone_id;
            for (const auto& other : args)
                if (other.command_index == arg.command_index && other.option == "hosted-zone-id")
                    zone_id = other.value;
            std::string json = arg.value;
            ParseContext batch_ctx = inner;
            if (json.rfind("file://", 0) == 0) {
                fs::path p(json.substr(7));
                if (p.is_relative()) p = fs::path(path).parent_path() / p;
                auto content = read_file(p.string());
                if (!content) {
                    inner.error(YAML::Node(), kInvalidConfig, "cannot read " + p.string());
                    continue;
                }
                json = *content;
                batch_ctx.file = p.string();
                batch_ctx.line_offset = 0;
            }
            if (auto b = parse_change_batch_text(json, batch_ctx)) add_batch(zone_id, *b);
        }
    } else if (auto b = parse_change_batch_text(*text, ctx)) {
        add_batch("", *b);
    }
    const std::vector<HealthCheck> no_checks;
    for (const auto& [zone_id, batches] : zones) {
        HostedZone zone;
        zone.name = infer_zone_name(batches);
        zone.id = zone_id.empty() ? derive_zone_id(zone.name) : zone_id;
        if (zone.id.rfind("/hostedzone/", 0) == 0) zone.id.erase(0, 12);
        zone.record_sets = {default_soa(zone.name), default_ns(zone.name)};
        for (const auto& b : batches) {
            auto ds = apply_change_batch(zone, b, no_checks, options.lenient);
            diagnostics.insert(diagnostics.end(), ds.begin(), ds.end());
        }
    }
    std::stable_sort(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         return a.where.file == b.where.file && a.where.line < b.where.line;
                     });
    return diagnostics;
}

Diagnostics check_health_check_config(std::string_view arg, const LoadOptions& options) {
    Diagnostics diagnostics;
    ParseContext ctx;
    ctx.file = "--health-check-config";
    ctx.diagnostics = &diagnostics;
    ctx.lenient = options.lenient;
    ctx.fallback_line = 1;
    std::string text(arg);
    if (text.rfind("file://", 0) == 0) {
        ctx.file = text.substr(7);
        auto content = read_file(ctx.file);
        if (!content) {
            diagnostics.push_back(
                {{ctx.file, 0}, kInvalidConfig, "cannot read file", Severity::Error});
            return diagnostics;
        }
        text = *content;
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    check_health_check_argument(text, ctx);
    return diagnostics;
}

}  // namespace r53::config
