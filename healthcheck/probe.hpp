// One probe of one checker: resolve, connect, (TLS), request, judge (semantics §1.1, §1.3, §1.5).
// Every step has a deadline; errors are values, never exceptions.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "healthcheck/target.hpp"

namespace r53::health {

struct ProbeOutcome {
    bool ok = false;
    std::string
        status;  // Route 53 wording, e.g. "Success: HTTP Status Code 200, OK. Resolved IP: ..."
};

// Outcome texts shared with injected results (§1.5).
namespace outcome_text {
std::string http_status(bool ok, unsigned code, const std::string& reason, const std::string& ip);
std::string connection_timed_out(const std::string& ip);
std::string connection_refused(const std::string& ip);
std::string dns_resolution_failed();
}  // namespace outcome_text

class Prober {
  public:
    Prober();
    ~Prober();
    Prober(const Prober&) = delete;
    Prober& operator=(const Prober&) = delete;

    // `endpoints` are local.endpoints of the config the probe belongs to.
    boost::asio::awaitable<ProbeOutcome> probe(
        ProbePlan plan, std::shared_ptr<const std::vector<config::EndpointMapping>> endpoints);

  private:
    boost::asio::ssl::context insecure_;  // AWS never validates certificates (§1.1)
};

// Reason phrase for a status code when the server sent none.
std::string standard_reason(unsigned code);

}  // namespace r53::health
