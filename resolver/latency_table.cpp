#include "resolver/latency_table.hpp"

#include <algorithm>

namespace r53::resolver {

LatencyTable::LatencyTable(const std::vector<config::LatencyPreference>& preferences) {
    for (const auto& p : preferences) {
        Entry e;
        e.regions = p.regions;
        e.regions_text = "[";
        for (size_t i = 0; i < p.regions.size(); ++i)
            e.regions_text += (i ? ", " : "") + p.regions[i];
        e.regions_text += "]";
        if (!p.client) {
            e.client_text = "default";
            default_ = std::move(e);
            continue;
        }
        e.client = Cidr::parse(*p.client);
        if (!e.client) continue;
        e.client_text = e.client->to_string();
        entries_.push_back(std::move(e));
    }
    std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
        return a.client->length > b.client->length;
    });
}

const LatencyTable::Entry* LatencyTable::match(const ClientAddress& client) const noexcept {
    if (client.family != 0)
        for (const Entry& e : entries_)
            if (e.client->contains(client)) return &e;
    return default_ ? &*default_ : nullptr;
}

int LatencyTable::rank(const Entry& entry, const std::string& region) noexcept {
    auto it = std::find(entry.regions.begin(), entry.regions.end(), region);
    return it == entry.regions.end() ? -1 : static_cast<int>(it - entry.regions.begin());
}

}  // namespace r53::resolver
