#include "server/dns/query_log.hpp"

#include <algorithm>
#include <cctype>

namespace r53::server {

uint64_t QueryRing::read_from(uint64_t from, std::vector<QueryLogEntry>& out,
                              uint64_t& lost) const {
    const uint64_t end = head();
    const uint64_t oldest = end > capacity() ? end - capacity() : 0;
    if (from < oldest) {
        lost += oldest - from;
        from = oldest;
    }
    QueryLogEntry entry;
    for (uint64_t s = from; s < end; ++s) {
        if (read(s, entry))
            out.push_back(entry);
        else
            ++lost;  // overwritten while we read: the worker lapped us
    }
    return end;
}

namespace {

size_t round_up_pow2(size_t n) {
    size_t p = 2;
    while (p < n) p <<= 1;
    return p;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

QueryRing::QueryRing(size_t capacity)
    : mask_(round_up_pow2(capacity) - 1), slots_(std::make_unique<Slot[]>(mask_ + 1)) {}

std::string normalize_query_name(const std::string& name) {
    std::string n = lower(name);
    if (n.size() > 1 && n.back() == '.') n.pop_back();
    return n;
}

QueryLog::QueryLog(QueryLogOptions options) : options_(std::move(options)) {}

QueryLog::~QueryLog() {
    stop();
}

QueryRing* QueryLog::add_ring() {
    if (!enabled()) return nullptr;
    std::lock_guard lock(rings_mutex_);
    rings_.push_back(std::make_unique<QueryRing>(options_.ring_entries));
    return rings_.back().get();
}

std::vector<QueryRing*> QueryLog::rings() const {
    std::lock_guard lock(rings_mutex_);
    std::vector<QueryRing*> out;
    for (const auto& r : rings_) out.push_back(r.get());
    return out;
}

bool QueryLog::open_file(std::string& error) {
    file_ = std::fopen(options_.file->c_str(), "a");
    if (!file_) {
        error = "cannot open the query log " + *options_.file;
        return false;
    }
    return true;
}

bool QueryLog::start(std::string& error) {
    if (!enabled() || !options_.file || writer_.joinable()) return true;
    if (!open_file(error)) return false;
    writer_ = std::thread([this] { run_writer(); });
    return true;
}

void QueryLog::stop() {
    if (!writer_.joinable()) return;
    {
        std::lock_guard lock(wake_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    writer_.join();
}

void QueryLog::reopen() noexcept {
    reopen_.store(true);
    wake_.notify_all();
}

void QueryLog::run_writer() {
    std::unique_lock lock(wake_mutex_);
    for (;;) {
        wake_.wait_for(lock, options_.drain_interval,
                       [this] { return stopping_ || reopen_.load(); });
        const bool stop = stopping_;
        lock.unlock();
        if (reopen_.exchange(false)) {
            drain();  // what arrived before the signal belongs to the old file
            if (file_) std::fclose(file_);
            std::string ignored;  // no file until the next reopen: entries are counted lost
            open_file(ignored);
            reopens_.fetch_add(1);
        }
        drain();
        lock.lock();
        if (stop) break;
    }
    if (file_) std::fclose(file_);
    file_ = nullptr;
}

void QueryLog::drain() {
    const auto all = rings();
    cursors_.resize(all.size(), 0);
    batch_.clear();
    uint64_t lost = 0;
    for (size_t i = 0; i < all.size(); ++i)
        cursors_[i] = all[i]->read_from(cursors_[i], batch_, lost);
    if (lost) lost_.fetch_add(lost);
    if (batch_.empty()) return;
    // Workers' entries interleave in time; within one drain they are written in time order.
    // One ring's entries already are, and more are ordered by index, not by moving entries.
    order_.resize(batch_.size());
    for (uint32_t i = 0; i < order_.size(); ++i) order_[i] = i;
    if (all.size() > 1)
        std::stable_sort(order_.begin(), order_.end(), [this](uint32_t a, uint32_t b) {
            return batch_[a].time_ns < batch_[b].time_ns;
        });
    if (!file_) {
        lost_.fetch_add(batch_.size());
        return;
    }
    lines_.clear();
    for (uint32_t i : order_) {
        line_writer_.append(batch_[i], options_.format, lines_);
        lines_ += '\n';
    }
    std::fwrite(lines_.data(), 1, lines_.size(), file_);
    std::fflush(file_);
    written_.fetch_add(batch_.size());
}

std::vector<QueryRecord> QueryLog::recent(const QueryFilter& filter) const {
    std::vector<QueryLogEntry> entries;
    uint64_t lost = 0;
    for (const QueryRing* ring : rings()) {
        const uint64_t head = ring->head();
        ring->read_from(head > ring->capacity() ? head - ring->capacity() : 0, entries, lost);
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto& a, const auto& b) { return a.time_ns < b.time_ns; });
    const std::string name = normalize_query_name(filter.name);
    const std::string type = lower(filter.type);
    // Newest first, so only the entries that can be among the last `limit` are formatted.
    std::vector<QueryRecord> out;
    for (auto it = entries.rbegin(); it != entries.rend() && out.size() < filter.limit; ++it) {
        if (it->time_ns < filter.since_ns) break;
        QueryRecord record = to_record(*it);
        if (!name.empty() && normalize_query_name(record.query_name) != name) continue;
        if (!type.empty() && lower(record.query_type) != type) continue;
        out.push_back(std::move(record));
    }
    std::reverse(out.begin(), out.end());
    return out;
}

}  // namespace r53::server
