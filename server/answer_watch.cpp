#include "server/answer_watch.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>
#include <sstream>

#include "resolver/explain.hpp"

namespace r53::server {
namespace {

namespace json = boost::json;

// Weighted and multivalue answers are drawn at random per query: every publish would look like a
// change. Every other policy answers the same client the same way until health or config moves.
bool answer_can_move(const config::ResourceRecordSet& r) {
    const auto policy = config::policy_of(r);
    if (policy == config::RoutingPolicy::Weighted || policy == config::RoutingPolicy::MultiValue)
        return false;
    return r.set_identifier || r.health_check_id || r.alias_target;
}

// "app.example.com. 60 IN A 192.0.2.1" -> "192.0.2.1"
std::string rdata_of(const std::string& line) {
    std::istringstream in(line);
    std::string token;
    for (int i = 0; i < 4 && (in >> token); ++i) {
    }
    std::string rest;
    std::getline(in >> std::ws, rest);
    return rest;
}

json::array strings(const std::vector<std::string>& v) {
    json::array a;
    for (const auto& s : v) a.push_back(json::string(s));
    return a;
}

}  // namespace

void AnswerWatch::update(const resolver::ServingState& state, EventFeed& feed) {
    if (!state.config || !state.zones) return;
    std::lock_guard lock(mutex_);
    if (state.generation < generation_) return;
    generation_ = state.generation;
    std::set<std::pair<std::string, std::string>> groups, noisy;
    for (const auto& zone : state.config->zones)
        for (const auto& r : zone.record_sets) {
            if (!answer_can_move(r)) {
                if (config::policy_of(r) != config::RoutingPolicy::Simple)
                    noisy.insert({r.name, r.type});
                continue;
            }
            if (groups.size() < kMaxGroups) groups.insert({r.name, r.type});
        }
    std::map<std::pair<std::string, std::string>, Seen> now;
    for (const auto& key : groups) {
        if (noisy.count(key)) continue;
        auto e = resolver::explain(&state, key.first, key.second, "");
        if (!e.ok) continue;
        Seen seen{e.rcode, {}};
        for (const auto& line : e.answer) seen.values.push_back(rdata_of(line));
        std::sort(seen.values.begin(), seen.values.end());
        auto before = answers_.find(key);
        if (!first_ && (before == answers_.end() || !(before->second == seen))) {
            json::object data{{"name", key.first},   {"type", key.second},
                              {"rcode", seen.rcode}, {"to", strings(seen.values)},
                              {"client", e.client},  {"generation", state.generation}};
            data["from"] = before == answers_.end() ? json::value(nullptr)
                                                    : json::value(strings(before->second.values));
            feed.publish("answer", json::serialize(data));
        }
        now.emplace(key, std::move(seen));
    }
    answers_ = std::move(now);
    first_ = false;
}

std::string health_event_data(const std::string& line) {
    constexpr std::string_view kPrefix = "health check ";
    const auto arrow = line.find(" -> ");
    if (!line.starts_with(kPrefix) || arrow == std::string::npos) return {};
    const auto from_start = line.rfind(' ', arrow - 1);
    if (from_start == std::string::npos || from_start < kPrefix.size()) return {};
    const std::string id = line.substr(kPrefix.size(), from_start - kPrefix.size());
    const std::string from = line.substr(from_start + 1, arrow - from_start - 1);
    const auto to_start = arrow + 4;
    const auto to_end = line.find(' ', to_start);
    const std::string to = line.substr(to_start, to_end - to_start);
    std::string reason;
    if (to_end != std::string::npos && line.size() > to_end + 2 && line[to_end + 1] == '(' &&
        line.back() == ')')
        reason = line.substr(to_end + 2, line.size() - to_end - 3);
    auto word = [](std::string w) {
        std::transform(w.begin(), w.end(), w.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        return w;
    };
    return json::serialize(json::object{{"check", id},
                                        {"from", word(from)},
                                        {"to", word(to)},
                                        {"healthy", word(to) == "healthy"},
                                        {"reason", reason}});
}

}  // namespace r53::server
