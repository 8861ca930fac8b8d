// The default store: the API's objects in memory, and written to --state-dir (when given) as
// one JSON file after every change, restored at start.
#pragma once

#include <optional>
#include <string>

#include "server/store/store.hpp"

namespace r53::server {

class FileStore final : public Store {
  public:
    explicit FileStore(std::optional<std::string> state_dir);
    CommitResult commit(const route53::StatePtr& base, route53::StatePtr next) override;

  private:
    std::optional<std::string> state_dir_;
};

}  // namespace r53::server
