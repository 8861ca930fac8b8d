// A Control that does nothing, for route tests that need only one or two operations: derive and
// override those.
#pragma once

#include <stdexcept>

#include "server/control/control.hpp"

namespace r53::server::testing {

class MinimalControl : public Control {
  public:
    bool ready() const override { return true; }
    std::string admin_endpoint() const override { return "127.0.0.1:8053"; }
    config::ConfigPtr config() const override { return config_; }
    const ReloadCounters& reload_counters() const override { return counters_; }
    QueryCountersSnapshot query_counters() const override { return {}; }
    ReloadOutcome reload() override { return {}; }
    resolver::ExplainResult explain(const std::string&, const std::string&,
                                    const std::string&) const override {
        return {};
    }
    std::vector<health::CheckStatus> health_statuses() const override { return {}; }
    std::optional<health::CheckStatus> health_status(const std::string&) const override {
        return std::nullopt;
    }
    bool force_health(const std::string&, std::optional<bool>) override { return false; }
    std::string set_health_state(const std::string&, const std::string&) override { return {}; }
    bool inject_result(const std::string&, const std::string&, int,
                       std::optional<health::InjectedResult>) override {
        return false;
    }
    bool advance_clock(double) override { return false; }
    ClockReading clock() const override { return {}; }
    Store& store() override { throw std::logic_error("no store in route tests"); }
    bool republish(config::Diagnostics&) override { return false; }

  protected:
    config::ConfigPtr config_;
    ReloadCounters counters_;
};

}  // namespace r53::server::testing
