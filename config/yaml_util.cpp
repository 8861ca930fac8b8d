#include "config/yaml_util.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "config/suggest.hpp"

namespace r53::config {

SourceLocation ParseContext::at(const YAML::Node& node) const {
    if (node.IsDefined() && node.Mark().line >= 0)
        return {file, node.Mark().line + 1 + line_offset};
    return {file, fallback_line};
}

void ParseContext::error(const YAML::Node& node, std::string code, std::string message) const {
    if (diagnostics)
        diagnostics->push_back({at(node), std::move(code), std::move(message), Severity::Error});
}

void ParseContext::warning(const YAML::Node& node, std::string code, std::string message) const {
    if (diagnostics)
        diagnostics->push_back({at(node), std::move(code), std::move(message), Severity::Warning});
}

std::string scalar_text(const YAML::Node& node) {
    if (node.IsScalar()) return node.Scalar();
    if (node.IsSequence()) return "[...]";
    if (node.IsMap()) return "{...}";
    return "None";
}

std::optional<int64_t> scalar_to_int(const YAML::Node& node) {
    if (!node.IsScalar()) return std::nullopt;
    const std::string& s = node.Scalar();
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::optional<double> scalar_to_double(const YAML::Node& node) {
    if (!node.IsScalar() || node.Scalar().empty()) return std::nullopt;
    const std::string& s = node.Scalar();
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<bool> scalar_to_bool(const YAML::Node& node) {
    if (!node.IsScalar()) return std::nullopt;
    std::string s = node.Scalar();
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "true") return true;
    if (s == "false") return false;
    return std::nullopt;
}

std::string constraint_message(const std::string& value, const std::string& server_path_text,
                               const std::string& constraint) {
    return "1 validation error detected: Value '" + value + "' at '" + server_path_text +
           "' failed to satisfy constraint: " + constraint;
}

std::string server_path(const std::string& param_path) {
    std::string out;
    size_t start = 0;
    while (start <= param_path.size()) {
        size_t dot = param_path.find('.', start);
        if (dot == std::string::npos) dot = param_path.size();
        std::string seg = param_path.substr(start, dot - start);
        std::string index;
        if (auto br = seg.find('['); br != std::string::npos) {
            int n = std::atoi(seg.c_str() + br + 1);
            index = "." + std::to_string(n + 1) + ".member";
            seg.resize(br);
        }
        if (!seg.empty())
            seg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(seg[0])));
        for (size_t u = seg.find('_'); u != std::string::npos && u + 1 < seg.size();
             u = seg.find('_', u)) {
            seg.erase(u, 1);
            seg[u] = static_cast<char>(std::toupper(static_cast<unsigned char>(seg[u])));
        }
        if (!out.empty()) out += '.';
        out += seg + index;
        start = dot + 1;
    }
    return out;
}

MapReader::MapReader(const YAML::Node& node, const ParseContext& ctx, std::string path,
                     std::vector<std::string> known, FieldStyle style,
                     std::vector<std::string> handled_by_caller)
    : node_(node), ctx_(ctx), path_(std::move(path)), style_(style) {
    is_map_ = node.IsMap();
    if (!is_map_) {
        ok_ = false;
        if (style_ == FieldStyle::Aws)
            ctx_.error(node, kParamValidation,
                       "Invalid type for parameter " + path_ + ", value: " + scalar_text(node) +
                           ", type: <class 'str'>, valid types: <class 'dict'>");
        else
            ctx_.error(node, kInvalidConfig, path_ + " must be a map");
        return;
    }
    for (const auto& kv : node) {
        std::string key = kv.first.Scalar();
        if (std::find(known.begin(), known.end(), key) != known.end()) continue;
        if (std::find(handled_by_caller.begin(), handled_by_caller.end(), key) !=
            handled_by_caller.end())
            continue;
        ok_ = false;
        std::string list;
        for (size_t i = 0; i < known.size(); ++i) list += (i ? ", " : "") + known[i];
        // A near miss of a known key is that key mistyped: say so, and do not report the key
        // as missing too (one root error, not two).
        auto meant = nearest(key, known);
        if (meant) misspelled_.push_back(*meant);
        if (style_ == FieldStyle::Aws)
            ctx_.error(kv.first, kParamValidation,
                       "Unknown parameter in " + path_ + ": \"" + key + "\", must be one of: " +
                           list + (meant ? " (did you mean \"" + *meant + "\"?)" : ""));
        else
            ctx_.error(kv.first, kInvalidConfig,
                       "unknown key '" + key + "' in " + path_ +
                           (meant ? " (did you mean '" + *meant + "'?)"
                                  : " (expected one of: " + list + ")"));
    }
}

bool MapReader::has(const std::string& key) const {
    return is_map_ && node_[key].IsDefined();
}

YAML::Node MapReader::node(const std::string& key) const {
    if (!is_map_) return YAML::Node(YAML::NodeType::Undefined);
    return node_[key];
}

void MapReader::missing(const std::string& key) {
    ok_ = false;
    if (std::find(misspelled_.begin(), misspelled_.end(), key) != misspelled_.end()) return;
    if (style_ == FieldStyle::Aws)
        ctx_.error(node_, kParamValidation,
                   "Missing required parameter in " + path_ + ": \"" + key + "\"");
    else
        ctx_.error(node_, kInvalidConfig, "missing required key '" + key + "' in " + path_);
}

void MapReader::invalid_type(const YAML::Node& value, const std::string& key,
                             const char* python_type) {
    ok_ = false;
    if (style_ == FieldStyle::Aws) {
        std::string actual = value.IsSequence() ? "<class 'list'>"
                             : value.IsMap()    ? "<class 'dict'>"
                                                : "<class 'str'>";
        ctx_.error(value, kParamValidation,
                   "Invalid type for parameter " + field_path(key) + ", value: " +
                       scalar_text(value) + ", type: " + actual + ", valid types: " + python_type);
    } else {
        ctx_.error(value, kInvalidConfig,
                   "invalid value '" + scalar_text(value) + "' for " + field_path(key) +
                       " (expected " + python_type + ")");
    }
}

std::optional<std::string> MapReader::string(const std::string& key, bool required) {
    YAML::Node v = node(key);
    if (!v.IsDefined() || v.IsNull()) {
        if (required) missing(key);
        return std::nullopt;
    }
    if (!v.IsScalar()) {
        invalid_type(v, key, style_ == FieldStyle::Aws ? "<class 'str'>" : "a string");
        return std::nullopt;
    }
    return v.Scalar();
}

std::optional<int64_t> MapReader::integer(const std::string& key, bool required) {
    YAML::Node v = node(key);
    if (!v.IsDefined() || v.IsNull()) {
        if (required) missing(key);
        return std::nullopt;
    }
    auto i = scalar_to_int(v);
    if (!i) invalid_type(v, key, style_ == FieldStyle::Aws ? "<class 'int'>" : "an integer");
    return i;
}

std::optional<double> MapReader::number(const std::string& key, bool required) {
    YAML::Node v = node(key);
    if (!v.IsDefined() || v.IsNull()) {
        if (required) missing(key);
        return std::nullopt;
    }
    auto d = scalar_to_double(v);
    if (!d)
        invalid_type(v, key,
                     style_ == FieldStyle::Aws
                         ? "<class 'float'>, <class 'decimal.Decimal'>, <class 'int'>"
                         : "a number");
    return d;
}

std::optional<bool> MapReader::boolean(const std::string& key, bool required) {
    YAML::Node v = node(key);
    if (!v.IsDefined() || v.IsNull()) {
        if (required) missing(key);
        return std::nullopt;
    }
    auto b = scalar_to_bool(v);
    if (!b) invalid_type(v, key, style_ == FieldStyle::Aws ? "<class 'bool'>" : "true or false");
    return b;
}

std::optional<Seconds> MapReader::duration(const std::string& key) {
    YAML::Node v = node(key);
    if (!v.IsDefined() || v.IsNull()) return std::nullopt;
    std::optional<Seconds> d;
    if (v.IsScalar()) d = parse_duration(v.Scalar());
    if (!d) invalid_type(v, key, "a duration such as 0.2s, 200ms or 2");
    return d;
}

std::optional<std::vector<std::string>> MapReader::string_list(const std::string& key,
                                                               bool required) {
    YAML::Node v = node(key);
    if (!v.IsDefined() || v.IsNull()) {
        if (required) missing(key);
        return std::nullopt;
    }
    std::vector<std::string> out;
    if (v.IsScalar()) {
        out.push_back(v.Scalar());
        return out;
    }
    if (!v.IsSequence()) {
        invalid_type(v, key,
                     style_ == FieldStyle::Aws ? "<class 'list'>, <class 'tuple'>" : "a list");
        return std::nullopt;
    }
    for (const auto& item : v) {
        if (!item.IsScalar()) {
            invalid_type(item, key, style_ == FieldStyle::Aws ? "<class 'str'>" : "a string");
            return std::nullopt;
        }
        out.push_back(item.Scalar());
    }
    return out;
}

}  // namespace r53::config
