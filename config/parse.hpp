// Route 53 shapes read from YAML nodes (JSON is YAML, so change-batch files and REST bodies decoded
// to JSON go through the same code). Parsing collects every problem into a Diagnostics list and
// never throws; values that fail to parse are left out of the result.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

#include "config/change_batch.hpp"
#include "config/diagnostic.hpp"
#include "config/model.hpp"

namespace r53::config {

// What a parser needs to report: the file name, the sink, and whether known mistakes are
// downgraded to warnings (LoadOptions::lenient).
struct ParseContext {
    std::string file;
    Diagnostics* diagnostics = nullptr;
    bool lenient = false;
    // Warn, with AWS's reason, about what the real Route 53 refuses but r53sim allows (§8.30).
    bool aws_refusals = false;
    int fallback_line = 0;  // for nodes built in memory (CLI shorthand) that have no mark
    int line_offset = 0;    // for text cut out of a larger file (a --change-batch argument)

    SourceLocation at(const YAML::Node& node) const;
    void error(const YAML::Node& node, std::string code, std::string message) const;
    void warning(const YAML::Node& node, std::string code, std::string message) const;
};

// The members of HealthCheckConfig, as the Route 53 API names them.
const std::vector<std::string>& health_check_config_fields();

// The latency regions a ResourceRecordSet's Region may name (§2.1), in the API's enum order.
const std::vector<std::string>& latency_region_names();

// A HealthCheckConfig after the aws CLI checks (ParamValidation), the server-side checks
// (InvalidInput) and the §1.2 defaults. `local` receives what lenient mode interprets (the
// non-existent RequestTimeout becomes local.response_timeout). nullopt when an error was found.
std::optional<HealthCheckConfig> parse_health_check_config(const YAML::Node& node,
                                                           const ParseContext& ctx,
                                                           LocalCheckSettings* local = nullptr);

// One ResourceRecordSet (AWS field names). `param_path` names it in aws CLI messages, e.g.
// "ChangeBatch.Changes[0].ResourceRecordSet". Structure only: rules that need the whole change
// (policy counts, RDATA, ...) are checked by apply_change_batch.
std::optional<ResourceRecordSet> parse_resource_record_set(
    const YAML::Node& node, const ParseContext& ctx,
    const std::string& param_path = "ResourceRecordSet");

// {"Comment": ..., "Changes": [{"Action": ..., "ResourceRecordSet": {...}}]}. Also accepts the
// request wrapper {"ChangeBatch": {...}} and a document holding HostedZoneId next to ChangeBatch.
std::optional<ChangeBatch> parse_change_batch(const YAML::Node& node, const ParseContext& ctx);
std::optional<ChangeBatch> parse_change_batch_text(std::string_view json_or_yaml,
                                                   const ParseContext& ctx);

// aws CLI shorthand `Type=HTTPS,Port=443,Regions=[a,b]` -> a map of string scalars and lists
// (values are converted later by the model, as botocore does). nullopt on a syntax error.
std::optional<YAML::Node> parse_cli_shorthand(std::string_view text, const ParseContext& ctx);

// "0.2s", "200ms", "2" (seconds).
std::optional<Seconds> parse_duration(std::string_view text);

// Lower-case, absolute (trailing dot added).
std::string normalize_dns_name(std::string_view name);

// The options of each `aws route53 ...` command found in a text (a shell script, a blog post),
// tokenized as a shell would: quotes, backslash-newline continuations, comments. Text outside
// such commands is ignored.
struct CliArgument {
    std::string option;  // without the dashes: "change-batch", "health-check-config", ...
    std::string value;   // empty when the option is followed by another option or nothing
    bool has_value = false;
    int line = 0;           // 1-based line where the value (else the option) starts
    std::string command;    // "create-health-check", "change-resource-record-sets", ...
    int command_index = 0;  // 0-based position of the command in the text
    int command_line = 0;
};
std::vector<CliArgument> extract_cli_arguments(std::string_view text);

}  // namespace r53::config
