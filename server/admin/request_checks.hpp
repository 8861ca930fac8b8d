// What every admin route checks of a request before acting on it: a JSON body is an object and
// holds only the fields the route knows, and the query holds only the parameters it knows. A
// typo is a 400 naming it, never silently ignored (README "Admin API", error shape).
#pragma once

#include <boost/json.hpp>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <variant>

#include "server/http/http_types.hpp"

namespace r53::server {

using Names = std::initializer_list<std::string_view>;

// The body as a JSON object whose members are all in `known`, or the 400 to answer: BadJson
// (not JSON, or not an object; the message shows `example`) or UnknownField.
std::variant<boost::json::object, HttpResponse> body_object(const RouteRequest& request,
                                                            Names known, std::string_view example);

// The 400 UnknownParameter to answer when the query holds a parameter not in `known`.
std::optional<HttpResponse> unknown_parameter(const RouteRequest& request, Names known);

}  // namespace r53::server
