// Command line of r53sim: serve, check, ready. usage_text() is generated from the parser's own
// option descriptions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/log.hpp"

namespace r53::server {

// Exit codes are part of the interface: fixtures and scripts branch on them.
enum ExitCode : int {
    kExitOk = 0,
    kExitInvalidConfig = 1,
    kExitUsage = 2,
    kExitBindFailed = 3,
    kExitRuntime = 4,
};

enum class Command { Serve, Check, Ready, Status, Version, Help };

struct CliOptions {
    Command command = Command::Help;
    Command help_for = Command::Help;  // `r53sim serve --help`: the command whose options to show
    std::string config_path;           // "-" = stdin
    std::optional<std::string> dns_address;
    std::optional<std::string> admin_address;
    // Used where neither the flag nor the config names an address: the image sets every
    // interface (R53SIM_DEFAULT_DNS=0.0.0.0:53, R53SIM_DEFAULT_ADMIN=0.0.0.0:8053).
    std::optional<std::string> default_dns_address;
    std::optional<std::string> default_admin_address;
    // Change batches (*.json, the aws CLI's shape) applied over the config in name order.
    std::optional<std::string> seed_dir;
    std::optional<std::string> ready_file;
    LogFormat log_format = LogFormat::Text;
    LogLevel log_level = LogLevel::Info;
    bool lenient = false;
    bool strict = false;  // check: warnings are errors
    std::optional<double> time_scale;
    bool manual_clock = false;
    std::optional<int> workers;
    std::optional<uint64_t> seed;
    std::optional<std::string> state_dir;
    std::optional<std::string> store;  // etcd://HOST:PORT[,HOST:PORT...]/PREFIX
    bool watch = false;
    // Query log: Route 53's format to a file (reopened on SIGHUP), and per-worker rings in memory
    // for GET /v1/queries; a buffer of 0 turns both off.
    std::optional<std::string> query_log;
    bool query_log_json = false;
    // Entries per DNS worker; unset: 1024, or 16384 with a file (the writer drains it every few
    // milliseconds, so bursts need room).
    std::optional<size_t> query_log_buffer;
    // status (--watch redraws every status_interval seconds)
    double status_interval = 2.0;
    // check
    std::optional<std::string> change_batch;
    std::optional<std::string> health_check_config;
};

struct CliParse {
    std::optional<CliOptions> options;
    std::string error;  // set when options is empty
};

// Environment fallbacks: R53SIM_CONFIG, R53SIM_SEED_DIR, R53SIM_DNS, R53SIM_ADMIN,
// R53SIM_DEFAULT_DNS, R53SIM_DEFAULT_ADMIN, R53SIM_LOG_FORMAT, R53SIM_LOG_LEVEL. `error` is one
// line, ending with where to read more ("; see r53sim serve
// --help").
CliParse parse_cli(const std::vector<std::string>& args);
// Command::Help: every command and option; a command: its options only.
std::string usage_text(Command command = Command::Help);

}  // namespace r53::server
