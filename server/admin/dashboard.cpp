#include "server/admin/dashboard.hpp"

#include "server/admin/dashboard_assets.hpp"

namespace r53::server {
namespace {

using http::status;

constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const DashboardAsset* find_asset(std::string_view name) {
    for (const auto& asset : dashboard_assets())
        if (name == asset.name) return &asset;
    return nullptr;
}

}  // namespace

std::optional<HttpResponse> handle_dashboard(const RouteRequest& r) {
    constexpr std::string_view kPrefix = "/dashboard/";
    std::string_view name;
    if (r.path == "/" || r.path == "/index.html")
        name = "index.html";
    else if (r.path.starts_with(kPrefix))
        name = std::string_view(r.path).substr(kPrefix.size());
    else
        return std::nullopt;
    const DashboardAsset* asset = find_asset(name);
    if (!asset) return std::nullopt;
    const auto method = r.raw.method();
    if (method != http::verb::get && method != http::verb::head) {
        return method_not_allowed(r, "GET, HEAD");
    }
    HttpResponse res{status::ok, r.raw.version()};
    res.set(http::field::content_type, asset->content_type);
    res.set(http::field::cache_control, "no-cache");
    res.set("Content-Security-Policy", kContentSecurityPolicy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.body().assign(reinterpret_cast<const char*>(asset->data), asset->size);
    res.prepare_payload();
    if (method == http::verb::head) res.body().clear();  // Content-Length stays the body's
    return res;
}

}  // namespace r53::server
