// Where each record set of a zone sits, by Route 53's identity (name, type, set identifier) and by
// name alone, so that a change batch finds what it changes in O(1) instead of scanning the zone.
//
// The index holds views into record sets it does not own: every record set passed to add() or
// replace() must stay where it is, unchanged, while the index is used.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "config/model.hpp"

namespace r53::config {

// Route 53's identity of a record set. Names are compared as stored (absolute and lower-case,
// so "App.Example.com" and "app.example.com." are one name once parsed); a set identifier is
// case-sensitive, and no set identifier differs from an empty one.
struct RecordSetKey {
    std::string_view name;
    std::string_view type;
    std::string_view set_identifier;
    bool has_set_identifier = false;

    static RecordSetKey of(const ResourceRecordSet& r);
    bool operator==(const RecordSetKey&) const = default;
};

struct RecordSetKeyHash {
    size_t operator()(const RecordSetKey& k) const noexcept;
};

class RecordSetIndex {
  public:
    static constexpr uint32_t npos = UINT32_MAX;

    void reserve(size_t record_sets);

    // Adds `r` at `position`; positions must be added in increasing order. Returns false (and
    // adds nothing) when a record set with the same key is present.
    bool add(const ResourceRecordSet& r, uint32_t position);
    // The position of the live record set with r's key, or nullopt.
    std::optional<uint32_t> find(const ResourceRecordSet& r) const;
    // `r` (same key) now lives at `position` instead of the record set added there.
    void replace(const ResourceRecordSet& r, uint32_t position);
    // The record set with r's key is gone; its position stays in the name's list, so callers
    // that walk a name's positions skip the ones they removed.
    void remove(const ResourceRecordSet& r);

    // Every position ever added with this name, ascending (removed ones included).
    template <class F>
    void for_each_named(std::string_view name, F&& visit) const {
        auto it = by_name_.find(name);
        if (it == by_name_.end()) return;
        for (uint32_t p = it->second.first; p != npos; p = next_same_name_[p]) visit(p);
    }

  private:
    boost::unordered_flat_map<RecordSetKey, uint32_t, RecordSetKeyHash> by_key_;
    // name -> (first, last) position; next_same_name_ links the positions of one name in order.
    boost::unordered_flat_map<std::string_view, std::pair<uint32_t, uint32_t>> by_name_;
    std::vector<uint32_t> next_same_name_;
};

}  // namespace r53::config
