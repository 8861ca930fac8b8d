// The command line, read with Boost.Program_options: one description per command is both the
// parser and the usage text, so the two cannot drift. Values are read as text and checked
// here, so every error is ours ("--seed must be a whole number from 0 to 2^64-1"), never the
// library's.
#include "server/cli.hpp"

#include <boost/program_options.hpp>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "config/suggest.hpp"
#include "server/store/etcd_gateway.hpp"

namespace r53::server {
namespace {

namespace po = boost::program_options;

std::optional<std::string> env(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
}

bool parse_format(const std::string& v, LogFormat& out) {
    if (v == "text")
        out = LogFormat::Text;
    else if (v == "json")
        out = LogFormat::Json;
    else
        return false;
    return true;
}

po::typed_value<std::string>* text(const char* value_name) {
    return po::value<std::string>()->value_name(value_name);
}

// One description per command; the help text prints each in this order.
struct Descriptions {
    po::options_description serve{"serve options"};
    po::options_description check{"check options"};
    po::options_description ready{"ready options"};
    po::options_description status{"status options"};
    po::options_description general{"general options"};

    Descriptions() {
        serve.add_options()  //
            ("config,c", text("PATH"),
             "config file, directory of *.yaml files, or - for stdin ($R53SIM_CONFIG)")  //
            ("seed-dir", text("DIR"),
             "apply every *.json change batch in DIR (the aws CLI's ChangeBatch, or "
             "{HostedZoneId, ChangeBatch}) to the config's zones, in name order "
             "($R53SIM_SEED_DIR)")  //
            ("dns", text("ADDR:PORT"),
             "DNS listen address, UDP and TCP, over the config's local.listen.dns (default "
             "$R53SIM_DEFAULT_DNS, else 127.0.0.1:1053; port 0 picks a free port, the same for "
             "both; $R53SIM_DNS)")  //
            ("admin", text("ADDR:PORT"),
             "admin HTTP API and metrics, over local.listen.admin (default "
             "$R53SIM_DEFAULT_ADMIN, else 127.0.0.1:8053; $R53SIM_ADMIN)")  //
            ("ready-file", text("PATH"),
             "once serving, write {\"dns\":\"ADDR:PORT\",\"admin\":\"ADDR:PORT\"} there")  //
            ("log-format", text("text|json"),
             "log line format on stderr (default text; $R53SIM_LOG_FORMAT)")  //
            ("log-level", text("LEVEL"),
             "debug, info, warn or error (default info; $R53SIM_LOG_LEVEL)")  //
            ("lenient",
             "accept the known mistakes of copied examples (Weight with Failover, "
             "RequestTimeout, fewer than 3 Regions) as warnings")  //
            ("time-scale", text("X"),
             "multiply every probe interval and timeout by X (0.01: 30 s -> 300 ms)")            //
            ("manual-clock", "probe timers advance only through POST /v1/clock/advance")         //
            ("workers", text("N"), "DNS worker threads, 1-256 (default: one per core)")          //
            ("seed", text("N"), "fixed seed for routing choices and checker schedules")          //
            ("state-dir", text("DIR"), "persist what the Route 53 API creates across restarts")  //
            ("store", text("etcd://HOST:PORT[,HOST:PORT...]/PREFIX[?lease_ttl=S]"),
             "keep it in etcd instead, shared by every replica naming PREFIX; one replica "
             "probes for all (lease_ttl: takeover time, default 5)")  //
            ("watch", "reload when the config file changes")          //
            ("query-log", text("PATH"),
             "append every query to PATH in Route 53's query-log format; SIGHUP reopens it (log "
             "rotation)")  //
            ("query-log-format", text("text|json"),
             "space-separated fields as Route 53 writes them (default), or one JSON object per "
             "line")  //
            ("query-log-buffer", text("N"),
             "queries kept in memory per DNS worker for GET /v1/queries (default 1024, 16384 "
             "with --query-log; 0 turns query logging off)");
        check.add_options()                                                                       //
            ("config,c", text("PATH"), "config file, directory of *.yaml files, or - for stdin")  //
            ("seed-dir", text("DIR"), "with -c: the change batches serve --seed-dir applies")     //
            ("change-batch", text("FILE"),
             "validate a change batch as AWS would (JSON, or text holding aws route53 "
             "commands)")  //
            ("health-check-config", text("ARG"),
             "validate a HealthCheckConfig (JSON or the aws CLI shorthand "
             "Type=HTTPS,Port=443,...)")                                             //
            ("lenient", "report the known mistakes of copied examples as warnings")  //
            ("strict",
             "fail (exit 1) on every warning, among them what the real Route 53 would refuse "
             "(private and loopback health-check addresses): for checking a production config");
        ready.add_options()                                                                  //
            ("admin", text("ADDR:PORT"), "the server's admin API (default 127.0.0.1:8053)")  //
            ("ready-file", text("PATH"), "read the admin address from a ready file");
        status.add_options()                                                                  //
            ("admin", text("URL"), "the server's admin API (default http://127.0.0.1:8053)")  //
            ("ready-file", text("PATH"), "read the admin address from a ready file")          //
            ("watch", "redraw until interrupted")                                             //
            ("interval", text("SECONDS"), "seconds between redraws with --watch (default 2)");
        general.add_options()        //
            ("help,h", "this text")  //
            ("version", "print the version");
    }

    const po::options_description& of(Command c) const {
        switch (c) {
            case Command::Serve:
                return serve;
            case Command::Check:
                return check;
            case Command::Ready:
                return ready;
            case Command::Status:
                return status;
            default:
                return general;
        }
    }
};

const Descriptions& descriptions() {
    static const Descriptions d;
    return d;
}

const char* command_name(Command c) {
    switch (c) {
        case Command::Serve:
            return "serve";
        case Command::Check:
            return "check";
        case Command::Ready:
            return "ready";
        case Command::Status:
            return "status";
        default:
            return "";
    }
}

// "  -c, --config PATH       text" with the text wrapped at 92 columns under column 26.
void describe(std::ostringstream& out, const po::options_description& d) {
    constexpr size_t kColumn = 26, kWidth = 92;
    for (const auto& option : d.options()) {
        std::string head = "  ";
        // "-c" when the option has a one-letter form, else its long name without dashes.
        std::string shorthand =
            option->canonical_display_name(po::command_line_style::allow_dash_for_short);
        std::string long_name = "--" + option->long_name();
        head +=
            shorthand.size() == 2 && shorthand[0] == '-' ? shorthand + ", " + long_name : long_name;
        std::string parameter = option->semantic()->name();
        if (option->semantic()->max_tokens() > 0) head += " " + parameter;
        out << head;
        size_t at = head.size();
        if (at + 2 > kColumn) {
            out << '\n';
            at = 0;
        }
        std::istringstream words(option->description());
        std::string word;
        bool first = true;
        while (words >> word) {
            if (!first && at + 1 + word.size() > kWidth) {
                out << '\n';
                at = 0;
            }
            if (at < kColumn) {
                out << std::string(kColumn - at, ' ');
                at = kColumn;
            } else {
                out << ' ';
                ++at;
            }
            out << word;
            at += word.size();
            first = false;
        }
        out << '\n';
    }
}

std::vector<std::string> long_names(const po::options_description& d) {
    std::vector<std::string> names;
    for (const auto& option : d.options()) names.push_back("--" + option->long_name());
    for (const auto& option : descriptions().general.options())
        names.push_back("--" + option->long_name());
    return names;
}

std::string see_help(Command c) {
    return std::string("; see r53sim ") + command_name(c) + (*command_name(c) ? " " : "") +
           "--help";
}

// Whole numbers only: strtoull would read "-1" as 2^64-1 and " 7" as 7.
bool parse_unsigned(const std::string& v, uint64_t max, uint64_t& out) {
    if (v.empty() || v.size() > 20) return false;
    for (char ch : v)
        if (ch < '0' || ch > '9') return false;
    errno = 0;
    unsigned long long n = std::strtoull(v.c_str(), nullptr, 10);
    if (errno == ERANGE || n > max) return false;
    out = n;
    return true;
}

std::optional<std::string> apply_values(const po::variables_map& vm, CliOptions& o) {
    auto get = [&](const char* name) -> std::optional<std::string> {
        if (!vm.count(name)) return std::nullopt;
        return vm[name].as<std::string>();
    };
    if (auto v = get("config")) o.config_path = *v;
    if (auto v = get("dns")) o.dns_address = *v;
    if (auto v = get("admin")) o.admin_address = *v;
    if (auto v = get("ready-file")) o.ready_file = *v;
    if (auto v = get("seed-dir")) o.seed_dir = *v;
    if (auto v = get("state-dir")) o.state_dir = *v;
    if (auto v = get("store")) {
        std::string problem;
        if (!etcd::parse_url(*v, problem)) return problem;
        o.store = *v;
    }
    if (o.store && o.state_dir) return std::string("--store and --state-dir exclude each other");
    if (auto v = get("change-batch")) o.change_batch = *v;
    if (auto v = get("health-check-config")) o.health_check_config = *v;
    o.lenient = vm.count("lenient") > 0;
    o.strict = vm.count("strict") > 0;
    o.manual_clock = vm.count("manual-clock") > 0;
    o.watch = vm.count("watch") > 0;
    if (auto v = get("log-format"); v && !parse_format(*v, o.log_format))
        return "--log-format must be text or json, not '" + *v + "'";
    if (auto v = get("log-level"); v && !parse_log_level(*v, o.log_level))
        return "--log-level must be debug, info, warn or error, not '" + *v + "'";
    if (auto v = get("time-scale")) {
        char* end = nullptr;
        double s = std::strtod(v->c_str(), &end);
        if (v->empty() || *end != '\0' || !std::isfinite(s) || !(s > 0))
            return "--time-scale must be a positive finite number, not '" + *v + "'";
        o.time_scale = s;
    }
    if (auto v = get("workers")) {
        uint64_t n = 0;
        if (!parse_unsigned(*v, 256, n) || n < 1)
            return "--workers must be a whole number from 1 to 256, not '" + *v + "'";
        o.workers = static_cast<int>(n);
    }
    if (auto v = get("interval")) {
        char* end = nullptr;
        double seconds = std::strtod(v->c_str(), &end);
        if (v->empty() || *end != '\0' || !(seconds >= 0.05 && seconds <= 3600))
            return "--interval must be 0.05-3600 seconds, not '" + *v + "'";
        o.status_interval = seconds;
    }
    if (auto v = get("query-log")) o.query_log = *v;
    if (auto v = get("query-log-format")) {
        if (*v != "text" && *v != "json")
            return "--query-log-format must be text or json, not '" + *v + "'";
        o.query_log_json = *v == "json";
    }
    if (auto v = get("query-log-buffer")) {
        uint64_t n = 0;
        if (!parse_unsigned(*v, 1'048'576, n))
            return "--query-log-buffer must be a whole number from 0 to 1048576, not '" + *v + "'";
        o.query_log_buffer = static_cast<size_t>(n);
    }
    if (o.query_log && o.query_log_buffer == size_t{0})
        return std::string("--query-log needs a --query-log-buffer above 0");
    if (auto v = get("seed")) {
        uint64_t n = 0;
        if (!parse_unsigned(*v, UINT64_MAX, n))
            return "--seed must be a whole number from 0 to 18446744073709551615, not '" + *v + "'";
        o.seed = n;
    }
    return std::nullopt;
}

// The environment comes first; a flag given on the command line overrides it. A bad value in
// the environment is an error too (silently logging at info when asked for debug misleads).
std::optional<std::string> apply_environment(CliOptions& o) {
    if (auto v = env("R53SIM_LOG_FORMAT"); v && !parse_format(*v, o.log_format))
        return "R53SIM_LOG_FORMAT must be text or json, not '" + *v + "'";
    if (auto v = env("R53SIM_LOG_LEVEL"); v && !parse_log_level(*v, o.log_level))
        return "R53SIM_LOG_LEVEL must be debug, info, warn or error, not '" + *v + "'";
    o.dns_address = env("R53SIM_DNS");
    o.admin_address = env("R53SIM_ADMIN");
    o.default_dns_address = env("R53SIM_DEFAULT_DNS");
    o.default_admin_address = env("R53SIM_DEFAULT_ADMIN");
    if (auto v = env("R53SIM_CONFIG")) o.config_path = *v;
    if (o.command == Command::Serve || o.command == Command::Check)
        o.seed_dir = env("R53SIM_SEED_DIR");
    return std::nullopt;
}

}  // namespace

std::string usage_text(Command command) {
    std::ostringstream out;
    const auto& d = descriptions();
    if (command == Command::Serve || command == Command::Check || command == Command::Ready ||
        command == Command::Status) {
        out << "Usage: r53sim " << command_name(command) << " [options]\n\n";
        describe(out, d.of(command));
        describe(out, d.general);
        return out.str();
    }
    out << R"(r53sim - Route 53 DNS failover, on your own machine

Usage:
  r53sim serve [-c FILE|DIR|-] [options]   answer DNS for the configured hosted zones
  r53sim check -c FILE|DIR|-               validate a config; exit 0, or 1 listing every error
  r53sim check --change-batch FILE         validate a change batch as AWS would
  r53sim check --health-check-config ARG   validate a HealthCheckConfig
  r53sim ready [--admin ADDR:PORT | --ready-file PATH]
                                           exit 0 if the server reports ready (GET /readyz)
  r53sim status [--admin URL | --ready-file PATH] [--watch [--interval SECONDS]]
                                           zones with the answer now, checks (state, % healthy,
                                           last change) and recent transitions of a running
                                           server; --watch redraws (colours on a terminal only)
  r53sim --version | --help
  r53sim COMMAND --help                    the options of one command

An option takes its value as the next argument or after "=": --dns 127.0.0.1:0 or --dns=127.0.0.1:0.

)";
    for (Command c : {Command::Serve, Command::Check, Command::Ready, Command::Status}) {
        out << "Options of " << command_name(c) << ":\n";
        describe(out, d.of(c));
        out << '\n';
    }
    out << "General options:\n";
    describe(out, d.general);
    out << R"(
Exit codes: 0 ok, 1 invalid config, 2 usage error, 3 cannot bind a listener, 4 runtime failure.
Signals: SIGTERM/SIGINT stop cleanly, SIGHUP reloads the config.
)";
    return out.str();
}

CliParse parse_cli(const std::vector<std::string>& args) {
    CliOptions o;
    if (args.empty()) return {std::nullopt, "missing command; see r53sim --help"};
    const std::string& cmd = args[0];
    if (cmd == "serve")
        o.command = Command::Serve;
    else if (cmd == "check")
        o.command = Command::Check;
    else if (cmd == "ready")
        o.command = Command::Ready;
    else if (cmd == "status")
        o.command = Command::Status;
    else if (cmd == "--version" || cmd == "version")
        o.command = Command::Version;
    else if (cmd == "-h" || cmd == "--help" || cmd == "help")
        o.command = Command::Help;
    else
        return {std::nullopt, "unknown command '" + cmd + "'" +
                                  config::did_you_mean(cmd, {"serve", "check", "ready", "status",
                                                             "help", "version"}) +
                                  "; see r53sim --help"};
    if (o.command == Command::Help || o.command == Command::Version) {
        if (args.size() > 1)
            return {std::nullopt, "'" + cmd + "' takes no arguments; see r53sim --help"};
        return {o, ""};
    }
    if (auto error = apply_environment(o)) return {std::nullopt, *error};

    po::options_description all;
    all.add(descriptions().of(o.command)).add(descriptions().general);
    po::variables_map vm;
    const Command command = o.command;
    try {
        // No guessing of abbreviations: `--adm` is a typo to report, not `--admin`.
        const int style = po::command_line_style::unix_style &
                          ~po::command_line_style::allow_guessing &
                          ~po::command_line_style::allow_sticky;
        std::vector<std::string> rest(args.begin() + 1, args.end());
        po::store(po::command_line_parser(rest).options(all).style(style).run(), vm);
    } catch (const po::unknown_option& e) {
        std::string name = e.get_option_name();
        return {std::nullopt,
                "unknown option '" + name + "'" +
                    config::did_you_mean(name, long_names(descriptions().of(command))) +
                    see_help(command)};
    } catch (const po::multiple_occurrences& e) {
        return {std::nullopt,
                "option '" + e.get_option_name() + "' is given twice" + see_help(command)};
    } catch (const po::invalid_command_line_syntax& e) {
        std::string name = e.get_option_name();
        if (e.kind() == po::invalid_syntax::missing_parameter)
            return {std::nullopt, "option '" + name + "' needs a value" + see_help(command)};
        if (e.kind() == po::invalid_syntax::extra_parameter)
            return {std::nullopt, "option '" + name + "' takes no value" + see_help(command)};
        return {std::nullopt, "cannot read option '" + name + "'" + see_help(command)};
    } catch (const po::too_many_positional_options_error&) {
        return {std::nullopt, "unexpected argument after '" + cmd + "'" + see_help(command)};
    } catch (const po::error& e) {
        // Any other shape the parser refuses; its own text would name internals.
        return {std::nullopt, "cannot read the command line" + see_help(command)};
    }
    if (vm.count("help")) {
        o.command = Command::Help;
        o.help_for = command;
        return {o, ""};
    }
    if (vm.count("version")) {
        o.command = Command::Version;
        return {o, ""};
    }
    if (auto error = apply_values(vm, o)) return {std::nullopt, *error + see_help(command)};
    if (o.command == Command::Serve && o.config_path.empty())
        return {std::nullopt, "serve needs -c FILE (or R53SIM_CONFIG)" + see_help(command)};
    if (o.command == Command::Check && o.config_path.empty() && !o.change_batch &&
        !o.health_check_config)
        return {std::nullopt,
                "check needs -c FILE, --change-batch FILE or --health-check-config ARG" +
                    see_help(command)};
    return {o, ""};
}

}  // namespace r53::server
