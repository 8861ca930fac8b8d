// The query log: one QueryRing per DNS worker (the worker writes fixed-size entries, lock- and
// allocation-free), read off the query path by GET /v1/queries and by one writer thread that
// formats them into a file in Route 53's format (text or JSON lines).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/dns/query_log_format.hpp"
#include "server/dns/query_log_record.hpp"
#include "server/dns/query_log_ring.hpp"

namespace r53::server {

struct QueryLogOptions {
    size_t ring_entries = 1024;  // per worker; 0 turns query logging off
    std::optional<std::string> file;
    QueryLogFormat format = QueryLogFormat::Text;
    // How often the writer thread drains the rings into the file. At 100,000 queries/s a worker
    // writes 500 entries in 5 ms, well inside the default ring.
    std::chrono::milliseconds drain_interval{5};
};

class QueryLog {
  public:
    explicit QueryLog(QueryLogOptions options);
    ~QueryLog();  // stop()
    QueryLog(const QueryLog&) = delete;
    QueryLog& operator=(const QueryLog&) = delete;

    bool enabled() const noexcept { return options_.ring_entries > 0; }
    bool has_file() const noexcept { return options_.file.has_value(); }

    // A new ring for one worker; nullptr when logging is off. The ring lives as long as the log.
    QueryRing* add_ring();

    // Opens the file (append) and starts the writer thread; without a file, does nothing.
    // False, with `error` set, if the file cannot be opened.
    bool start(std::string& error);
    // Writes what the rings still hold, closes the file, joins the writer. Idempotent.
    void stop();
    // SIGHUP: the writer closes the file and opens the path again (after a log rotation).
    void reopen() noexcept;

    // The last `filter.limit` matching queries over every worker, oldest first.
    std::vector<QueryRecord> recent(const QueryFilter& filter) const;
    QueryLogStats stats() const noexcept {
        return {written_.load(), lost_.load(), reopens_.load()};
    }

  private:
    std::vector<QueryRing*> rings() const;
    void run_writer();
    void drain();
    bool open_file(std::string& error);

    const QueryLogOptions options_;
    mutable std::mutex rings_mutex_;
    std::vector<std::unique_ptr<QueryRing>> rings_;

    // Writer thread only, after start().
    std::FILE* file_ = nullptr;
    std::vector<uint64_t> cursors_;
    std::vector<QueryLogEntry> batch_;
    std::vector<uint32_t> order_;  // batch_ in time order
    QueryLineWriter line_writer_;
    std::string lines_;

    std::thread writer_;
    std::mutex wake_mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::atomic<bool> reopen_{false};
    std::atomic<uint64_t> written_{0}, lost_{0}, reopens_{0};
};

// Parses a QueryFilter's name for matching: lower-case, without the final dot.
std::string normalize_query_name(const std::string& name);

}  // namespace r53::server
