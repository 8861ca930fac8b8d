#include "server/cli.hpp"

#include <cstdlib>
#include <functional>
#include <map>

namespace r53::server {
namespace {

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

}  // namespace

const char* usage_text() {
    return R"(r53sim - Route 53 DNS failover, on your own machine

Usage:
  r53sim serve [-c FILE|DIR|-] [options]   answer DNS for the configured hosted zones
  r53sim check -c FILE|DIR|-               validate a config; exit 0, or 1 listing every error
  r53sim check --change-batch FILE         validate a change batch as AWS would (JSON, or text
                                           holding aws route53 commands)
  r53sim check --health-check-config ARG   validate a HealthCheckConfig (JSON or the aws CLI
                                           shorthand Type=HTTPS,Port=443,...)
  r53sim ready [--admin ADDR:PORT | --ready-file PATH]
                                           exit 0 if the server reports ready (GET /readyz)
  r53sim status [--admin URL | --ready-file PATH] [--watch [--interval SECONDS]]
                                           zones with the answer now, checks (state, % healthy,
                                           last change) and recent transitions of a running
                                           server; --watch redraws (colours on a terminal only)
  r53sim --version | --help

Options:
  -c, --config PATH       config file, directory of *.yaml files, or - for stdin
                          (default: $R53SIM_CONFIG)
  --dns ADDR:PORT         DNS listen address, UDP and TCP (default 127.0.0.1:1053; port 0
                          picks a free port, the same for both; $R53SIM_DNS)
  --admin ADDR:PORT       admin HTTP API and metrics (default 127.0.0.1:8053; $R53SIM_ADMIN)
  --ready-file PATH       once serving, write {"dns":"ADDR:PORT","admin":"ADDR:PORT"} there
  --log-format text|json  log line format on stderr (default text; $R53SIM_LOG_FORMAT)
  --log-level LEVEL       debug, info, warn or error (default info; $R53SIM_LOG_LEVEL)
  --lenient               accept the known mistakes of copied examples (Weight with Failover,
                          RequestTimeout, fewer than 3 Regions) as warnings
  --time-scale X          multiply every probe interval and timeout by X (0.01: 30 s -> 300 ms)
  --manual-clock          probe timers advance only through POST /v1/clock/advance
  --workers N             DNS worker threads (default: one per core)
  --seed N                fixed seed for routing choices and checker schedules
  --state-dir DIR         persist what the Route 53 API creates across restarts
  --watch                 serve: reload when the config file changes; status: redraw
  --interval SECONDS      status --watch: seconds between redraws (default 2)
  --query-log PATH        append every query to PATH in Route 53's query-log format;
                          SIGHUP reopens it (log rotation)
  --query-log-format text|json
                          space-separated fields as Route 53 writes them (default), or one
                          JSON object per line
  --query-log-buffer N    queries kept in memory per DNS worker for GET /v1/queries
                          (default 1024, 16384 with --query-log; 0 turns query logging off)
  -h, --help              this text
  --version               print the version

Exit codes: 0 ok, 1 invalid config, 2 usage error, 3 cannot bind a listener, 4 runtime failure.
Signals: SIGTERM/SIGINT stop cleanly, SIGHUP reloads the config.
)";
}

CliParse parse_cli(const std::vector<std::string>& args) {
    CliOptions o;
    if (auto v = env("R53SIM_LOG_FORMAT")) parse_format(*v, o.log_format);
    if (auto v = env("R53SIM_LOG_LEVEL")) parse_log_level(*v, o.log_level);
    o.dns_address = env("R53SIM_DNS");
    o.admin_address = env("R53SIM_ADMIN");
    if (auto v = env("R53SIM_CONFIG")) o.config_path = *v;

    size_t i = 0;
    if (args.empty()) return {std::nullopt, "missing command"};
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
        return {std::nullopt, "unknown command '" + cmd + "'"};
    ++i;

    auto value = [&](const std::string& flag, std::string& out) -> bool {
        if (i + 1 >= args.size()) return false;
        out = args[++i];
        (void)flag;
        return true;
    };
    for (; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string v;
        auto need = [&]() -> std::optional<std::string> {
            if (!value(a, v)) return "option " + a + " needs a value";
            return std::nullopt;
        };
        std::optional<std::string> err;
        if (a == "-h" || a == "--help") {
            o.command = Command::Help;
        } else if (a == "--version") {
            o.command = Command::Version;
        } else if (a == "-c" || a == "--config") {
            if (!(err = need())) o.config_path = v;
        } else if (a == "--dns") {
            if (!(err = need())) o.dns_address = v;
        } else if (a == "--admin") {
            if (!(err = need())) o.admin_address = v;
        } else if (a == "--ready-file") {
            if (!(err = need())) o.ready_file = v;
        } else if (a == "--log-format") {
            if (!(err = need()) && !parse_format(v, o.log_format))
                err = "--log-format must be text or json";
        } else if (a == "--log-level") {
            if (!(err = need()) && !parse_log_level(v, o.log_level))
                err = "--log-level must be debug, info, warn or error";
        } else if (a == "--lenient") {
            o.lenient = true;
        } else if (a == "--time-scale") {
            if (!(err = need())) {
                char* end = nullptr;
                double s = std::strtod(v.c_str(), &end);
                if (end == v.c_str() || *end != '\0' || !(s > 0))
                    err = "--time-scale must be a positive number";
                else
                    o.time_scale = s;
            }
        } else if (a == "--manual-clock") {
            o.manual_clock = true;
        } else if (a == "--workers") {
            if (!(err = need())) {
                char* end = nullptr;
                long n = std::strtol(v.c_str(), &end, 10);
                if (*end != '\0' || n < 1 || n > 256)
                    err = "--workers must be 1-256";
                else
                    o.workers = static_cast<int>(n);
            }
        } else if (a == "--seed") {
            if (!(err = need())) {
                char* end = nullptr;
                unsigned long long n = std::strtoull(v.c_str(), &end, 10);
                if (end == v.c_str() || *end != '\0')
                    err = "--seed must be a number";
                else
                    o.seed = n;
            }
        } else if (a == "--state-dir") {
            if (!(err = need())) o.state_dir = v;
        } else if (a == "--watch") {
            o.watch = true;
        } else if (a == "--interval") {
            if (!(err = need())) {
                char* end = nullptr;
                double s = std::strtod(v.c_str(), &end);
                if (end == v.c_str() || *end != '\0' || !(s >= 0.05 && s <= 3600))
                    err = "--interval must be 0.05-3600 seconds";
                else
                    o.status_interval = s;
            }
        } else if (a == "--query-log") {
            if (!(err = need())) o.query_log = v;
        } else if (a == "--query-log-format") {
            if (!(err = need())) {
                if (v == "json" || v == "text")
                    o.query_log_json = v == "json";
                else
                    err = "--query-log-format must be text or json";
            }
        } else if (a == "--query-log-buffer") {
            if (!(err = need())) {
                char* end = nullptr;
                long n = std::strtol(v.c_str(), &end, 10);
                if (end == v.c_str() || *end != '\0' || n < 0 || n > 1'048'576)
                    err = "--query-log-buffer must be 0-1048576";
                else
                    o.query_log_buffer = static_cast<size_t>(n);
            }
        } else if (a == "--change-batch") {
            if (!(err = need())) o.change_batch = v;
        } else if (a == "--health-check-config") {
            if (!(err = need())) o.health_check_config = v;
        } else {
            err = "unknown option '" + a + "'";
        }
        if (err) return {std::nullopt, *err};
    }
    if (o.query_log && o.query_log_buffer == size_t{0})
        return {std::nullopt, "--query-log needs a --query-log-buffer above 0"};
    if (o.command == Command::Serve && o.config_path.empty())
        return {std::nullopt, "serve needs -c FILE (or R53SIM_CONFIG)"};
    if (o.command == Command::Check && o.config_path.empty() && !o.change_batch &&
        !o.health_check_config)
        return {std::nullopt,
                "check needs -c FILE, --change-batch FILE or --health-check-config ARG"};
    return {o, ""};
}

}  // namespace r53::server
