// The dashboard's files (server/admin/dashboard/), compiled into the binary by a CMake step
// (server/admin/dashboard/embed.cmake generates their definition).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace r53::server {

struct DashboardAsset {
    const char* name;  // "index.html", "dashboard.js", ...
    const char* content_type;
    const unsigned char* data;
    size_t size;
};

std::span<const DashboardAsset> dashboard_assets();

}  // namespace r53::server
