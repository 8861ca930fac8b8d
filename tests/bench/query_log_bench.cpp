// The query log's parts one by one, in nanoseconds per query: the worker's push into its ring,
// the writer's read back, and formatting a text or JSON line. Built on demand:
//   cmake --build build --target query_log_bench && build/tests/bench/query_log_bench
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "server/dns/query_log_format.hpp"
#include "server/dns/query_log_ring.hpp"

using namespace r53::server;

namespace {

QueryLogEntry sample(int64_t t) {
    QueryLogEntry e;
    e.time_ns = t;
    e.qtype = 1;
    const char name[] =
        "\x03www\x07"
        "example\x03"
        "com";
    e.qname_length = sizeof name;  // the terminating NUL is the root label
    std::copy(name, name + sizeof name, e.qname.begin());
    const std::string zone = "Z0123456789ABCDEF";
    e.zone_id_length = static_cast<uint8_t>(zone.size());
    std::copy(zone.begin(), zone.end(), e.zone_id.begin());
    e.resolver_family = 4;
    e.resolver = {127, 0, 0, 1};
    return e;
}

template <class F>
double ns_per(size_t n, F&& f) {
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < n; ++i) f(i);
    return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
               .count() /
           static_cast<double>(n);
}

}  // namespace

int main() {
    constexpr size_t kN = 2'000'000;
    const int64_t base = 1'700'000'000'000'000'000;
    QueryRing ring(16384);
    std::vector<QueryLogEntry> entries;
    for (size_t i = 0; i < 1024; ++i)
        entries.push_back(sample(base + static_cast<int64_t>(i) * 10'000));
    const double push = ns_per(kN, [&](size_t i) { ring.push(entries[i & 1023]); });
    QueryLogEntry out;
    size_t ok = 0;
    const double read =
        ns_per(kN, [&](size_t i) { ok += ring.read(ring.head() - 1 - (i & 1023), out); });
    QueryLineWriter writer;
    std::string lines;
    lines.reserve(1 << 20);
    const double text = ns_per(kN, [&](size_t i) {
        if (lines.size() > (1 << 19)) lines.clear();
        writer.append(entries[i & 1023], QueryLogFormat::Text, lines);
        lines += '\n';
    });
    const double json = ns_per(kN, [&](size_t i) {
        if (lines.size() > (1 << 19)) lines.clear();
        writer.append(entries[i & 1023], QueryLogFormat::Json, lines);
        lines += '\n';
    });
    std::printf("push %.1f ns, read %.1f ns (%zu ok), text line %.1f ns, json line %.1f ns\n", push,
                read, ok, text, json);
}
