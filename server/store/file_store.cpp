#include "server/store/file_store.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "server/log.hpp"
#include "server/store/persist.hpp"

namespace r53::server {

using route53::StatePtr;

namespace {

std::string state_file(const std::string& dir) {
    return (std::filesystem::path(dir) / "route53-api.json").string();
}

}  // namespace

FileStore::FileStore(std::optional<std::string> state_dir) : state_dir_(std::move(state_dir)) {
    if (!state_dir_) return;
    std::string path = state_file(*state_dir_);
    if (!std::filesystem::exists(path)) return;
    std::string error;
    if (auto loaded = route53::load_state(path, error)) {
        log(LogLevel::Info, "route53", "restored the Route 53 API's objects",
            {{"file", path},
             {"zones", std::to_string(loaded->zones.size())},
             {"health_checks", std::to_string(loaded->checks.size())}});
        replace_state(std::move(loaded));
    } else {
        // Kept aside, so the next change does not overwrite what could still be repaired.
        std::string aside = path + ".invalid";
        std::error_code ec;
        std::filesystem::rename(path, aside, ec);
        log(LogLevel::Error, "route53",
            "cannot restore the Route 53 API's objects (starting without them): " + error,
            {{"file", path}, {"moved_to", ec ? std::string("(not moved)") : aside}});
    }
}

// One process holds the state, and the API's writers are serialized: `base` is always current.
CommitResult FileStore::commit(const StatePtr& /*base*/, StatePtr next) {
    replace_state(next);
    if (!state_dir_) return {};
    std::string error = route53::save_state(*next, state_file(*state_dir_));
    if (error.empty()) return {};
    log(LogLevel::Error, "route53", "cannot save the Route 53 API's objects: " + error,
        {{"dir", *state_dir_}});
    return {CommitResult::Status::NotDurable, error};
}

}  // namespace r53::server
