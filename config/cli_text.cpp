// `aws route53 ...` commands inside a text: shell-style tokens, and the aws CLI's own usage checks.
#include <algorithm>
#include <array>
#include <cctype>

#include "config/loader_internal.hpp"
#include "config/parse.hpp"

namespace r53::config {

namespace {

struct Token {
    std::string text;
    int line = 0;
};

// Tokens of one shell command starting at `pos`; stops after the newline that ends it.
std::vector<Token> tokenize_command(std::string_view text, size_t& pos, int& line) {
    std::vector<Token> tokens;
    Token cur;
    bool in_token = false;
    auto finish = [&] {
        if (in_token) tokens.push_back(cur);
        cur = Token{};
        in_token = false;
    };
    auto start = [&] {
        if (!in_token) {
            cur.line = line;
            in_token = true;
        }
    };
    while (pos < text.size()) {
        char c = text[pos];
        if (c == '\\' && pos + 1 < text.size() && text[pos + 1] == '\n') {
            finish();
            pos += 2;
            ++line;
            continue;
        }
        if (c == '\n') {
            finish();
            ++pos;
            ++line;
            return tokens;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            finish();
            ++pos;
            continue;
        }
        if (c == '#' && !in_token) {  // comment to the end of the line
            while (pos < text.size() && text[pos] != '\n') ++pos;
            continue;
        }
        if (c == '\'') {
            start();
            if (cur.text.empty()) cur.line = line;
            ++pos;
            while (pos < text.size() && text[pos] != '\'') {
                if (text[pos] == '\n') ++line;
                cur.text += text[pos++];
            }
            ++pos;
            continue;
        }
        if (c == '"') {
            start();
            ++pos;
            while (pos < text.size() && text[pos] != '"') {
                if (text[pos] == '\\' && pos + 1 < text.size() &&
                    std::string_view("\"\\$`\n").find(text[pos + 1]) != std::string_view::npos)
                    ++pos;
                if (text[pos] == '\n') ++line;
                cur.text += text[pos++];
            }
            ++pos;
            continue;
        }
        if (c == '\\' && pos + 1 < text.size()) ++pos;
        start();
        cur.text += text[pos++];
    }
    finish();
    return tokens;
}

bool starts_aws_command(std::string_view text, size_t pos) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    return text.substr(pos, 4) == "aws " || text.substr(pos, 4) == "aws\t";
}

// aws CLI global options (`aws help`), accepted by every command.
constexpr std::array<std::string_view, 19> kGlobalOptions = {"debug",
                                                             "endpoint-url",
                                                             "no-verify-ssl",
                                                             "no-paginate",
                                                             "output",
                                                             "query",
                                                             "profile",
                                                             "region",
                                                             "version",
                                                             "color",
                                                             "no-sign-request",
                                                             "ca-bundle",
                                                             "cli-read-timeout",
                                                             "cli-connect-timeout",
                                                             "cli-binary-format",
                                                             "no-cli-pager",
                                                             "cli-auto-prompt",
                                                             "no-cli-auto-prompt",
                                                             "cli-input-json"};

struct CommandOptions {
    std::string_view command;
    std::vector<std::string_view> required;
    std::vector<std::string_view> optional;
};

const std::array<CommandOptions, 2> kCommands = {{
    {"create-health-check",
     {"caller-reference", "health-check-config"},
     {"cli-input-yaml", "generate-cli-skeleton"}},
    {"change-resource-record-sets",
     {"hosted-zone-id", "change-batch"},
     {"cli-input-yaml", "generate-cli-skeleton"}},
}};

}  // namespace

std::vector<CliArgument> extract_cli_arguments(std::string_view text) {
    std::vector<CliArgument> out;
    size_t pos = 0;
    int line = 1;
    int index = 0;
    while (pos < text.size()) {
        if (!starts_aws_command(text, pos)) {
            size_t nl = text.find('\n', pos);
            if (nl == std::string_view::npos) break;
            pos = nl + 1;
            ++line;
            continue;
        }
        int command_line = line;
        std::vector<Token> tokens = tokenize_command(text, pos, line);
        if (tokens.size() < 3 || tokens[1].text != "route53") continue;
        for (size_t i = 3; i < tokens.size(); ++i) {
            if (tokens[i].text.rfind("--", 0) != 0) continue;
            CliArgument arg;
            arg.option = tokens[i].text.substr(2);
            arg.line = tokens[i].line;
            if (auto eq = arg.option.find('='); eq != std::string::npos) {
                arg.value = arg.option.substr(eq + 1);
                arg.option.resize(eq);
                arg.has_value = true;
            } else if (i + 1 < tokens.size() && tokens[i + 1].text.rfind("--", 0) != 0) {
                arg.value = tokens[i + 1].text;
                arg.line = tokens[i + 1].line;
                arg.has_value = true;
                ++i;
            }
            arg.command = tokens[2].text;
            arg.command_index = index;
            arg.command_line = command_line;
            out.push_back(std::move(arg));
        }
        ++index;
    }
    return out;
}

Diagnostics cli_usage_problems(const std::vector<CliArgument>& args, const std::string& file) {
    Diagnostics out;
    auto usage = [&](int line, std::string message) {
        out.push_back({{file, line}, "CliUsage", std::move(message), Severity::Error});
    };
    int last = args.empty() ? -1 : args.back().command_index;
    for (int index = 0; index <= last; ++index) {
        std::vector<const CliArgument*> mine;
        for (const auto& a : args)
            if (a.command_index == index) mine.push_back(&a);
        if (mine.empty()) continue;
        auto spec = std::find_if(kCommands.begin(), kCommands.end(),
                                 [&](const auto& c) { return c.command == mine[0]->command; });
        if (spec == kCommands.end()) continue;
        std::string unknown;
        int unknown_line = 0;
        for (const auto* a : mine) {
            bool known = std::find(spec->required.begin(), spec->required.end(), a->option) !=
                             spec->required.end() ||
                         std::find(spec->optional.begin(), spec->optional.end(), a->option) !=
                             spec->optional.end() ||
                         std::find(kGlobalOptions.begin(), kGlobalOptions.end(), a->option) !=
                             kGlobalOptions.end();
            if (known) continue;
            if (unknown.empty()) unknown_line = a->line;
            unknown += (unknown.empty() ? "--" : ", --") + a->option;
        }
        if (!unknown.empty()) usage(unknown_line, "aws: error: Unknown options: " + unknown);
        std::string missing;
        for (auto req : spec->required)
            if (std::none_of(mine.begin(), mine.end(), [&](const CliArgument* a) {
                    return a->option == req && a->has_value;
                }))
                missing += (missing.empty() ? "--" : ", --") + std::string(req);
        if (!missing.empty())
            usage(mine[0]->command_line,
                  "aws: error: the following arguments are required: " + missing);
    }
    return out;
}

}  // namespace r53::config
