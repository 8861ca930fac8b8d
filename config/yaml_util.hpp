// Reading typed fields out of YAML maps with every problem reported, in two wordings: the aws CLI's
// (botocore ParamValidation) for Route 53 shapes, and a plain one for the local-only settings.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/parse.hpp"

namespace r53::config {

inline constexpr const char* kParamValidation = "ParamValidation";
inline constexpr const char* kInvalidInput = "InvalidInput";
inline constexpr const char* kInvalidChangeBatch = "InvalidChangeBatch";
inline constexpr const char* kInvalidConfig = "InvalidConfig";

enum class FieldStyle { Aws, Local };

class MapReader {
  public:
    // `path` names the map in messages ("HealthCheckConfig", "local.fleet"). Keys not in `known`
    // and not in `handled_by_caller` are reported.
    MapReader(const YAML::Node& node, const ParseContext& ctx, std::string path,
              std::vector<std::string> known, FieldStyle style,
              std::vector<std::string> handled_by_caller = {});

    bool is_map() const { return is_map_; }
    bool has(const std::string& key) const;
    YAML::Node node(const std::string& key) const;  // undefined node when absent

    std::optional<std::string> string(const std::string& key, bool required = false);
    std::optional<int64_t> integer(const std::string& key, bool required = false);
    std::optional<double> number(const std::string& key, bool required = false);
    std::optional<bool> boolean(const std::string& key, bool required = false);
    std::optional<Seconds> duration(const std::string& key);
    // A list of strings; a single scalar becomes a one-item list (as the CLI shorthand does).
    std::optional<std::vector<std::string>> string_list(const std::string& key,
                                                        bool required = false);

    void invalid_type(const YAML::Node& value, const std::string& key, const char* python_type);
    void missing(const std::string& key);
    std::string field_path(const std::string& key) const { return path_ + "." + key; }

    bool ok() const { return ok_; }
    const ParseContext& context() const { return ctx_; }
    const YAML::Node& self() const { return node_; }

  private:
    YAML::Node node_;
    const ParseContext& ctx_;
    std::string path_;
    FieldStyle style_;
    bool is_map_ = false;
    bool ok_ = true;
    std::vector<std::string> misspelled_;  // known keys an unknown key was a near miss of
};

std::optional<int64_t> scalar_to_int(const YAML::Node& node);
std::optional<double> scalar_to_double(const YAML::Node& node);
std::optional<bool> scalar_to_bool(const YAML::Node& node);
std::string scalar_text(const YAML::Node& node);  // the scalar, or a short rendering of the node

// `1 validation error detected: Value 'V' at 'path' failed to satisfy constraint: C`
std::string constraint_message(const std::string& value, const std::string& server_path,
                               const std::string& constraint);
// "ChangeBatch.Changes[0].ResourceRecordSet.TTL" ->
// "changeBatch.changes.1.member.resourceRecordSet.tTL" lower-camel each segment and index lists
// from 1, as AWS's server-side messages do.
std::string server_path(const std::string& param_path);

}  // namespace r53::config
