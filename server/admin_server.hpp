// The admin HTTP/1.1 server (Boost.Beast): control API for tests, explain, metrics, and
// later the Route 53 REST API. Loopback by default; never blocks the DNS path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace r53::server {

class App;

class AdminServer {
  public:
    AdminServer(App& app, std::string host, uint16_t port);
    ~AdminServer();
    void start();  // binds (throws std::system_error) and starts its threads
    void stop();
    uint16_t bound_port() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace r53::server
