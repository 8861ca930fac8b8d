#include "server/route53_api.hpp"

namespace r53::server {

HttpResponse handle_route53_request(App&, const RouteRequest& request) {
    return json_error(http::status::not_implemented, "NotImplemented",
                      "the Route 53 API is not available yet: " + request.path);
}

}  // namespace r53::server
