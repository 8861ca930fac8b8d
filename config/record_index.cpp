#include "config/record_index.hpp"

#include <boost/container_hash/hash.hpp>
#include <functional>

namespace r53::config {

RecordSetKey RecordSetKey::of(const ResourceRecordSet& r) {
    RecordSetKey k;
    k.name = r.name;
    k.type = r.type;
    if (r.set_identifier) {
        k.set_identifier = *r.set_identifier;
        k.has_set_identifier = true;
    }
    return k;
}

size_t RecordSetKeyHash::operator()(const RecordSetKey& k) const noexcept {
    size_t h = std::hash<std::string_view>{}(k.name);
    boost::hash_combine(h, std::hash<std::string_view>{}(k.type));
    boost::hash_combine(h, std::hash<std::string_view>{}(k.set_identifier));
    boost::hash_combine(h, k.has_set_identifier);
    return h;
}

void RecordSetIndex::reserve(size_t record_sets) {
    by_key_.reserve(record_sets);
    by_name_.reserve(record_sets);
    next_same_name_.reserve(record_sets);
}

bool RecordSetIndex::add(const ResourceRecordSet& r, uint32_t position) {
    if (!by_key_.emplace(RecordSetKey::of(r), position).second) return false;
    if (next_same_name_.size() <= position) next_same_name_.resize(position + 1, npos);
    auto [it, first] = by_name_.try_emplace(std::string_view(r.name), position, position);
    if (!first) {
        next_same_name_[it->second.second] = position;
        it->second.second = position;
    }
    return true;
}

std::optional<uint32_t> RecordSetIndex::find(const ResourceRecordSet& r) const {
    auto it = by_key_.find(RecordSetKey::of(r));
    if (it == by_key_.end()) return std::nullopt;
    return it->second;
}

void RecordSetIndex::replace(const ResourceRecordSet& r, uint32_t position) {
    // The stored key views the old record set's strings: store r's instead.
    by_key_.erase(RecordSetKey::of(r));
    by_key_.emplace(RecordSetKey::of(r), position);
}

void RecordSetIndex::remove(const ResourceRecordSet& r) {
    by_key_.erase(RecordSetKey::of(r));
}

}  // namespace r53::config
