// /v1/explain: the same resolve() the DNS path runs, with a trace.
#include <ldns/ldns.h>

#include <arpa/inet.h>

#include "resolver/zone_set.hpp"
#include "server/app.hpp"
#include "server/state_holder.hpp"

namespace r53::server {

ExplainResult App::explain(const std::string& name, const std::string& type,
                           const std::string& client) const {
    ExplainResult out;
    out.error = "explain is not available yet";
    (void)name;
    (void)type;
    (void)client;
    return out;
}

}  // namespace r53::server
