// Hosted zones and health checks created through the Route 53 REST API, kept beside the config
// file's and merged over them into the served Config. Persisted under --state-dir when given.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "config/model.hpp"

namespace r53::server {

class Route53Store {
public:
    explicit Route53Store(std::optional<std::string> state_dir);
    ~Route53Store();

    // The config file's Config plus everything created through the API.
    config::ConfigPtr merge(const config::ConfigPtr& file_config) const;

    struct Impl;
    Impl& impl() { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace r53::server
