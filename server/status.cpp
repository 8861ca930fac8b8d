#include "server/status.hpp"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "server/address.hpp"
#include "server/http/json_text.hpp"

namespace r53::server {
namespace {

namespace json = boost::json;
namespace beast = boost::beast;
namespace http = beast::http;

struct Style {
    bool on = false;
    std::string wrap(const char* code, const std::string& text) const {
        return on ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : text;
    }
    std::string bold(const std::string& t) const { return wrap("1", t); }
    std::string dim(const std::string& t) const { return wrap("2", t); }
    std::string green(const std::string& t) const { return wrap("32", t); }
    std::string red(const std::string& t) const { return wrap("31", t); }
    std::string yellow(const std::string& t) const { return wrap("33", t); }
};

// Rows of cells, padded to the widest cell of each column. Colour goes on after padding, so
// escape codes never count as width.
struct Table {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::vector<std::string>> colours;  // per cell: "" or "ok"/"bad"/"warn"/"dim"
    void add(std::vector<std::string> cells, std::vector<std::string> marks = {}) {
        marks.resize(cells.size());
        rows.push_back(std::move(cells));
        colours.push_back(std::move(marks));
    }
    std::string render(const Style& style, const std::string& indent) const {
        std::vector<size_t> width;
        for (const auto& r : rows)
            for (size_t i = 0; i < r.size(); ++i) {
                if (width.size() <= i) width.resize(i + 1, 0);
                width[i] = std::max(width[i], r[i].size());
            }
        std::string out;
        for (size_t n = 0; n < rows.size(); ++n) {
            std::string line = indent;
            for (size_t i = 0; i < rows[n].size(); ++i) {
                std::string cell = rows[n][i];
                if (i + 1 < rows[n].size()) cell.resize(width[i], ' ');
                const std::string& mark = colours[n][i];
                if (n == 0)
                    cell = style.bold(cell);
                else if (mark == "ok")
                    cell = style.green(cell);
                else if (mark == "bad")
                    cell = style.red(cell);
                else if (mark == "warn")
                    cell = style.yellow(cell);
                else if (mark == "dim")
                    cell = style.dim(cell);
                line += cell + (i + 1 < rows[n].size() ? "  " : "");
            }
            while (!line.empty() && line.back() == ' ') line.pop_back();
            out += line + "\n";
        }
        return out;
    }
};

std::string str(const json::value& v) {
    if (v.is_string()) return std::string(v.as_string());
    if (v.is_null()) return "";
    return to_json_text(v);  // 100, not Boost.JSON's 1E2
}

std::string join(const json::value& v, const char* separator = " ") {
    std::string out;
    if (!v.is_array()) return out;
    for (const auto& e : v.as_array()) out += (out.empty() ? "" : separator) + str(e);
    return out;
}

std::string clock_text(double t) {
    const std::time_t s = static_cast<std::time_t>(t);
    std::tm local{};
    localtime_r(&s, &local);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &local);
    return text;
}

std::string ago(double then, double now) {
    const double d = std::max(0.0, now - then);
    char text[32];
    if (d < 60)
        std::snprintf(text, sizeof text, "%.0fs ago", std::floor(d));
    else if (d < 3600)
        std::snprintf(text, sizeof text, "%.0fm ago", std::floor(d / 60));
    else
        std::snprintf(text, sizeof text, "%.0fh ago", std::floor(d / 3600));
    return text;
}

const json::object* object(const json::value& v, const char* key) {
    if (!v.is_object()) return nullptr;
    const auto* found = v.as_object().if_contains(key);
    return found && found->is_object() ? &found->as_object() : nullptr;
}

const json::array& array(const json::value& v, const char* key) {
    static const json::array empty;
    if (!v.is_object()) return empty;
    const auto* found = v.as_object().if_contains(key);
    return found && found->is_array() ? found->as_array() : empty;
}

std::optional<std::string> http_get(const HostPort& hp, const std::string& target,
                                    std::string& error) {
    try {
        boost::asio::io_context io;
        beast::tcp_stream stream(io);
        stream.expires_after(std::chrono::seconds(5));
        stream.connect({boost::asio::ip::make_address(hp.host), hp.port});
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, hp.host);
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(stream, buffer, res);
        if (res.result() != http::status::ok) {
            error = target + ": HTTP " + std::to_string(res.result_int());
            return std::nullopt;
        }
        return res.body();
    } catch (const boost::system::system_error& e) {
        error = e.code().message();
        return std::nullopt;
    } catch (const std::exception& e) {
        error = e.what();
        return std::nullopt;
    }
}

// "http://127.0.0.1:8053/", "127.0.0.1:8053", "[::1]:8053"; 0.0.0.0 and :: mean this host.
std::optional<HostPort> admin_address(std::string text) {
    for (const char* scheme : {"http://", "HTTP://"})
        if (text.starts_with(scheme)) text = text.substr(std::string(scheme).size());
    while (!text.empty() && text.back() == '/') text.pop_back();
    auto hp = parse_host_port(text);
    if (hp && hp->host == "0.0.0.0") hp->host = "127.0.0.1";
    if (hp && hp->host == "::") hp->host = "::1";
    return hp;
}

bool use_colour() {
    const char* term = std::getenv("TERM");
    return isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr &&
           !(term && std::string(term) == "dumb");
}

}  // namespace

std::string render_status(const std::string& admin, const json::value& answers,
                          const json::value& checks, const json::value& history, double now,
                          bool colour) {
    Style style{colour};
    std::string out = style.bold("r53sim") + " at " + admin + ", " + clock_text(now);
    if (const auto* clock = object(answers, "clock"))
        if (const auto* mode = clock->if_contains("mode")) out += ", clock " + str(*mode);
    out += "\n\n";

    // Last health event per check, for "last change".
    std::map<std::string, const json::object*> last_change;
    const auto& events = array(history, "events");
    for (const auto& e : events) {
        const auto* data = object(e, "data");
        if (data && str(e.as_object().at("type")) == "health")
            last_change[str(data->at("check"))] = &e.as_object();
    }

    out += style.bold("ZONES") + "\n";
    Table zones;
    zones.add({"ZONE", "ID", "RECORD", "TYPE", "ROUTING", "ANSWER NOW"});
    for (const auto& z : array(answers, "zones")) {
        const auto& zone = z.as_object();
        bool first = true;
        for (const auto& rs : array(z, "record_sets")) {
            const auto& r = rs.as_object();
            const std::string answer = join(r.at("answer"));
            const std::string rcode = str(r.at("rcode"));
            zones.add({first ? str(zone.at("name")) : "", first ? str(zone.at("id")) : "",
                       str(r.at("name")), str(r.at("type")), str(r.at("policy")),
                       answer.empty() ? rcode : answer},
                      {"", "dim", "", "", "", rcode == "NOERROR" ? "" : "warn"});
            first = false;
        }
        if (first)
            zones.add({str(zone.at("name")), str(zone.at("id")), "(no records)", "", "", ""});
    }
    out += zones.rows.size() > 1 ? zones.render(style, "  ") : "  (no hosted zones)\n";

    out += "\n" + style.bold("HEALTH CHECKS") + "\n";
    Table table;
    table.add({"ID", "TYPE", "STATE", "HEALTHY", "LAST CHANGE", "NOTE"});
    for (const auto& c : array(checks, "health_checks")) {
        const auto& check = c.as_object();
        const std::string id = str(check.at("id"));
        const bool healthy = check.at("healthy").as_bool();
        char pct[16];
        std::snprintf(pct, sizeof pct, "%.1f%%",
                      check.at("percentage_healthy").to_number<double>());
        std::string change = "never";
        if (auto it = last_change.find(id); it != last_change.end()) {
            const double t = it->second->at("time").to_number<double>();
            change = clock_text(t) + " (" + ago(t, now) + ")";
        }
        std::string note;
        if (const auto* forced = check.if_contains("forced"); forced && !forced->is_null())
            note = "forced " + str(*forced);
        if (const auto* lf = check.if_contains("last_failure"); !healthy && lf && lf->is_object())
            note += (note.empty() ? "" : "; ") + str(lf->as_object().at("status"));
        table.add({id, str(check.at("type")), healthy ? "HEALTHY" : "UNHEALTHY", pct, change, note},
                  {"", "dim", healthy ? "ok" : "bad", "", "", note.empty() ? "" : "warn"});
    }
    out += table.rows.size() > 1 ? table.render(style, "  ") : "  (no health checks)\n";

    out += "\n" + style.bold("RECENT TRANSITIONS") + "\n";
    Table recent;
    recent.add({"TIME", "WHAT", "CHANGE", "WHY"});
    std::vector<const json::object*> shown;
    for (const auto& e : events) {
        const std::string type = str(e.as_object().at("type"));
        if (type == "health" || type == "answer") shown.push_back(&e.as_object());
    }
    constexpr size_t kRecent = 10;
    if (shown.size() > kRecent) shown.erase(shown.begin(), shown.end() - kRecent);
    for (const auto* e : shown) {
        const auto& data = e->at("data").as_object();
        const std::string when = clock_text(e->at("time").to_number<double>());
        if (str(e->at("type")) == "health") {
            const bool up = str(data.at("to")) == "healthy";
            recent.add({when, str(data.at("check")),
                        str(data.at("from")) + " -> " + str(data.at("to")), str(data.at("reason"))},
                       {"dim", "", up ? "ok" : "bad", ""});
        } else {
            std::string from = data.at("from").is_null() ? "-" : join(data.at("from"));
            std::string to = join(data.at("to"));
            recent.add(
                {when, str(data.at("name")) + " " + str(data.at("type")),
                 (from.empty() ? "-" : from) + " -> " + (to.empty() ? str(data.at("rcode")) : to),
                 "answer"},
                {"dim", "", "warn", ""});
        }
    }
    out += recent.rows.size() > 1 ? recent.render(style, "  ") : "  (none in the last hour)\n";
    return out;
}

int run_status(const CliOptions& o) {
    std::string admin = o.admin_address.value_or("127.0.0.1:8053");
    if (o.ready_file) {
        std::ifstream in(*o.ready_file);
        std::stringstream text;
        text << in.rdbuf();
        boost::system::error_code ec;
        auto v = json::parse(text.str(), ec);
        if (ec || !v.is_object() || !v.as_object().contains("admin")) {
            std::fprintf(stderr, "r53sim status: no usable ready file at %s\n",
                         o.ready_file->c_str());
            return kExitRuntime;
        }
        admin = str(v.as_object().at("admin"));
    }
    auto hp = admin_address(admin);
    if (!hp) {
        std::fprintf(stderr, "r53sim status: bad admin address %s\n", admin.c_str());
        return kExitUsage;
    }
    const bool colour = use_colour();
    const std::string shown =
        (hp->host.find(':') != std::string::npos ? "[" + hp->host + "]" : hp->host) + ":" +
        std::to_string(hp->port);
    for (bool first = true;; first = false) {
        std::string error;
        auto answers = http_get(*hp, "/v1/answers", error);
        auto checks = answers ? http_get(*hp, "/v1/health-checks", error) : std::nullopt;
        auto history = checks ? http_get(*hp, "/v1/events/history", error) : std::nullopt;
        if (!history) {
            std::fprintf(stderr, "r53sim status: %s: %s\n", shown.c_str(), error.c_str());
            if (!o.watch) return kExitRuntime;
        } else {
            const double now =
                std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                    .count();
            std::string text = render_status(shown, json::parse(*answers), json::parse(*checks),
                                             json::parse(*history), now, colour);
            if (o.watch && colour)
                text = "\x1b[H\x1b[2J" + text;  // redraw in place
            else if (o.watch && !first)
                text = "\n" + text;
            std::fputs(text.c_str(), stdout);
            std::fflush(stdout);
        }
        if (!o.watch) return kExitOk;
        std::this_thread::sleep_for(std::chrono::duration<double>(o.status_interval));
    }
}

}  // namespace r53::server
