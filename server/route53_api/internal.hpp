// Pieces shared by the Route 53 API's handler files.
#pragma once

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "server/http/http_types.hpp"
#include "server/store/store.hpp"

namespace r53::server {
class Control;
}

namespace r53::server::route53 {

struct Request {
    Control& control;
    const RouteRequest& route;
    std::vector<std::string> segments;  // path after /2013-04-01/, without empty parts

    unsigned version() const { return route.raw.version(); }
    http::verb method() const { return route.raw.method(); }
    std::optional<std::string> query(const std::string& key) const;
    // "http://HOST/2013-04-01/" + rest, for Location headers.
    std::string location(const std::string& rest) const;
};

// The request body's root children, or the error reply for a body that is not XML.
std::optional<YAML::Node> read_body(const Request& rq, HttpResponse& error);

// The reply for a list of problems: InvalidInput first (AWS reports one), then any other code,
// then InvalidChangeBatch with every message joined as "[m1, m2]".
HttpResponse diagnostics_error(const config::Diagnostics& ds, unsigned version);
HttpResponse invalid_input(const std::string& message, unsigned version);
HttpResponse no_such_zone(const std::string& id, unsigned version);
HttpResponse no_such_check(const std::string& id, unsigned version);

// Stores `next` and serves it; on a failure of the served build, puts `previous` back and returns
// the error reply. The caller holds the store's write mutex.
std::optional<HttpResponse> publish(Request& rq, const StatePtr& previous, StatePtr next);

// One write to the Route 53 state. The store's write lock is held from construction to the end
// of the handler, so the view taken here is the state the change is computed from, checked
// against and published over: two writers never both build on the same state.
class Mutation {
  public:
    explicit Mutation(Request& rq);
    const View& view() const { return view_; }
    // The zone or health check as it is now, or the NoSuch... reply in `error`.
    std::optional<ZoneEntry> zone(const std::string& id, HttpResponse& error) const;
    std::optional<CheckEntry> check(const std::string& id, HttpResponse& error) const;
    // A copy of the current state for the handler to change.
    std::shared_ptr<State> next() const { return std::make_shared<State>(*view_.state); }
    // Stores and serves `next` (see publish above).
    std::optional<HttpResponse> publish(StatePtr next) {
        return route53::publish(rq_, view_.state, std::move(next));
    }

  private:
    Request& rq_;
    std::lock_guard<std::mutex> lock_;
    View view_;
};

// A new change record (kept in `state`) and its ChangeInfo.
ChangeEntry record_change(State& state, const std::string& comment);
boost::json::object change_info(const Request& rq, const ChangeEntry& change, bool just_submitted);

std::string scalar(const YAML::Node& map, const char* key);  // "" when absent
// Converts a request node (scalars, lists, maps) to JSON, scalars as strings.
boost::json::value node_json(const YAML::Node& node);

// Page size from ?maxitems, or nullopt with an InvalidInput reply in `error`.
std::optional<size_t> max_items(const Request& rq, size_t fallback, size_t cap,
                                HttpResponse& error);

// Route 53's marker paging over items sorted by id: the page starts at the first id not below
// ?marker; the reply body holds `list_name`, Marker, IsTruncated, NextMarker and MaxItems.
template <typename Item, typename IdOf, typename ToJson>
boost::json::object marker_page(const Request& rq, const std::vector<Item>& items, size_t limit,
                                const char* list_name, IdOf id_of, ToJson to_json) {
    auto marker = rq.query("marker");
    size_t i = 0;
    if (marker)
        while (i < items.size() && id_of(items[i]) < *marker) ++i;
    boost::json::array out;
    for (; i < items.size() && out.size() < limit; ++i) out.push_back(to_json(items[i]));
    boost::json::object body{{list_name, std::move(out)}, {"Marker", marker.value_or("")}};
    body["IsTruncated"] = i < items.size();
    if (i < items.size()) body["NextMarker"] = id_of(items[i]);
    body["MaxItems"] = std::to_string(limit);
    return body;
}

HttpResponse unknown_operation(const Request& rq);
// The hosted zone's JSON in ListHostedZones/GetHostedZone, and its DelegationSet.
boost::json::object hosted_zone_json(const ZoneEntry& z);
boost::json::object delegation_set_json(const ZoneEntry& z);

HttpResponse handle_zone_request(Request& rq);
HttpResponse handle_record_request(Request& rq);
HttpResponse handle_health_request(Request& rq);
HttpResponse handle_tag_request(Request& rq);
HttpResponse handle_test_dns_answer(Request& rq);

}  // namespace r53::server::route53
