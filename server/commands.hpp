// The one-shot subcommands: `check` and `ready`.
#pragma once

#include "server/cli.hpp"

namespace r53::server {

int run_check(const CliOptions& options);
int run_ready(const CliOptions& options);

}  // namespace r53::server
