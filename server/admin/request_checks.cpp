#include "server/admin/request_checks.hpp"

#include <string>

namespace r53::server {
namespace {

std::string listed(Names names) {
    if (names.size() == 0) return "none";
    std::string out;
    for (auto name : names) out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

bool is_known(std::string_view name, Names known) {
    for (auto k : known)
        if (k == name) return true;
    return false;
}

}  // namespace

std::variant<boost::json::object, HttpResponse> body_object(const RouteRequest& request,
                                                            Names known, std::string_view example) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(request.raw.body(), ec);
    if (ec || !parsed.is_object())
        return json_error(http::status::bad_request, "BadJson",
                          std::string(request.raw.body().empty() ? "the body is empty"
                                      : ec                       ? "the body is not JSON"
                                           : "the body is not a JSON object") +
                              "; send an object like " + std::string(example));
    for (const auto& member : parsed.as_object()) {
        if (is_known(member.key(), known)) continue;
        return json_error(http::status::bad_request, "UnknownField",
                          "unknown field \"" + std::string(member.key()) + "\" in the body of " +
                              request.path + "; its fields: " + listed(known));
    }
    return std::move(parsed.as_object());
}

std::optional<HttpResponse> unknown_parameter(const RouteRequest& request, Names known) {
    for (const auto& [name, value] : request.query) {
        if (is_known(name, known)) continue;
        return json_error(http::status::bad_request, "UnknownParameter",
                          "unknown query parameter \"" + name + "\" for " + request.path +
                              "; its parameters: " + listed(known));
    }
    return std::nullopt;
}

}  // namespace r53::server
