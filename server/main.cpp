// r53sim: Route 53 DNS failover on your own machine.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "server/app.hpp"
#include "server/cli.hpp"
#include "server/commands.hpp"
#include "server/status.hpp"

int main(int argc, char** argv) {
    using namespace r53::server;
    std::vector<std::string> args(argv + 1, argv + argc);
    auto parsed = parse_cli(args);
    if (!parsed.options) {
        std::fprintf(stderr, "r53sim: %s\n", parsed.error.c_str());
        return kExitUsage;
    }
    const CliOptions& o = *parsed.options;
    switch (o.command) {
        case Command::Help:
            std::fputs(usage_text(o.help_for).c_str(), stdout);
            return kExitOk;
        case Command::Version:
            std::printf("r53sim %s\n", R53SIM_VERSION);
            return kExitOk;
        case Command::Check:
            return run_check(o);
        case Command::Ready:
            return run_ready(o);
        case Command::Status:
            return run_status(o);
        case Command::Serve: {
            // Hold SIGTERM, SIGINT and SIGHUP from here on, in this thread and every thread it
            // starts: the ready file goes out before the signal handler is installed, and a
            // fixture that stops the server at once must get a clean stop, not a default death.
            // run_until_signalled() releases them in this thread once its handler is in place.
            sigset_t held;
            sigemptyset(&held);
            for (int signo : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&held, signo);
            pthread_sigmask(SIG_BLOCK, &held, nullptr);
            App app(o);
            if (auto failed = app.start()) return *failed;
            return app.run_until_signalled();
        }
    }
    return kExitUsage;
}
