// One worker's query-log ring: fixed-size entries written by that worker alone, read by anyone
// (the file writer, GET /v1/queries) without stopping it. The writer never waits, never
// allocates and never takes a lock; it overwrites the oldest entry when the ring is full, and a
// reader that fell behind learns how many entries it lost.
//
// Each slot is a seqlock (Boehm, "Can seqlocks get along with programming language memory
// models?", 2012): the slot's sequence is odd while the worker writes it and names the entry once
// written, and the payload is copied word by word with relaxed atomics, so a reader racing the
// worker sees a torn copy only as a sequence mismatch, which it discards.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

namespace r53::server {

// One query as the worker saw it: raw bytes only, formatted later off the query path.
struct QueryLogEntry {
    int64_t time_ns = 0;  // wall clock (UTC) when the query arrived, nanoseconds since the epoch
    uint16_t qtype = 0;
    uint16_t rcode = 0;           // including extended rcodes (BADVERS = 16)
    uint8_t transport = 0;        // Transport: 0 UDP, 1 TCP
    uint8_t qname_length = 0;     // wire length including the root label; 0 = no question parsed
    uint8_t zone_id_length = 0;   // 0 = no hosted zone answered
    uint8_t resolver_family = 0;  // 4 or 6: the packet's source address
    uint8_t ecs_family = 0;       // 0 = no EDNS Client Subnet, else 4 or 6
    uint8_t ecs_source_prefix = 0;
    std::array<uint8_t, 6> reserved{};
    std::array<uint8_t, 16> resolver{};  // network order
    std::array<uint8_t, 16> ecs_address{};
    std::array<char, 32> zone_id{};    // bare id; Route 53's are 13-32 characters
    std::array<uint8_t, 256> qname{};  // wire form as sent (case kept, decompressed)
};
static_assert(std::is_trivially_copyable_v<QueryLogEntry>);
static_assert(sizeof(QueryLogEntry) % 8 == 0, "copied as 64-bit words");

class QueryRing {
  public:
    static constexpr size_t kWords = sizeof(QueryLogEntry) / 8;
    static constexpr size_t kNameWord = offsetof(QueryLogEntry, qname) / 8;
    static_assert(offsetof(QueryLogEntry, qname) % 8 == 0);

    // `capacity` is rounded up to a power of two (at least 2).
    explicit QueryRing(size_t capacity);
    QueryRing(const QueryRing&) = delete;
    QueryRing& operator=(const QueryRing&) = delete;

    size_t capacity() const noexcept { return mask_ + 1; }
    // Entries written so far; the next entry gets this sequence number.
    uint64_t head() const noexcept { return head_.load(std::memory_order_acquire); }

    // The one writer thread only. Copies the fixed fields and only the words of the name in use
    // (a name is usually 20-40 bytes of the 256): what follows it in the slot is stale.
    void push(const QueryLogEntry& entry) noexcept {
        const uint64_t sequence = head_.load(std::memory_order_relaxed);
        Slot& slot = slots_[sequence & mask_];
        slot.stamp.store(2 * sequence + 1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
        const auto* bytes = reinterpret_cast<const unsigned char*>(&entry);
        const size_t words = kNameWord + (entry.qname_length + 7u) / 8;
        for (size_t i = 0; i < words; ++i) {
            uint64_t word;
            std::memcpy(&word, bytes + 8 * i, 8);
            std::atomic_ref<uint64_t>(slot.words[i]).store(word, std::memory_order_relaxed);
        }
        slot.stamp.store(2 * sequence + 2, std::memory_order_release);
        head_.store(sequence + 1, std::memory_order_release);
    }

    // Any thread: the entry with this sequence number, if it is still in the ring and was not
    // being overwritten while it was copied. qname past qname_length is unspecified.
    bool read(uint64_t sequence, QueryLogEntry& out) const noexcept {
        const Slot& slot = slots_[sequence & mask_];
        const uint64_t before = slot.stamp.load(std::memory_order_acquire);
        if (before != 2 * sequence + 2) return false;
        auto* bytes = reinterpret_cast<unsigned char*>(&out);
        auto copy = [&](size_t from, size_t to) {
            for (size_t i = from; i < to; ++i) {
                const uint64_t word =
                    std::atomic_ref<uint64_t>(const_cast<uint64_t&>(slot.words[i]))
                        .load(std::memory_order_relaxed);
                std::memcpy(bytes + 8 * i, &word, 8);
            }
        };
        copy(0, kNameWord);
        // A torn header gives a wrong length, but then the stamp below has moved too.
        copy(kNameWord, std::min(kWords, kNameWord + (out.qname_length + 7u) / 8));
        std::atomic_thread_fence(std::memory_order_acquire);
        return slot.stamp.load(std::memory_order_relaxed) == before;
    }

    // Any thread: appends the entries from sequence `from` on to `out`, oldest first, and returns
    // the sequence to continue from. Entries already overwritten are counted in `lost`.
    uint64_t read_from(uint64_t from, std::vector<QueryLogEntry>& out, uint64_t& lost) const;

  private:
    struct Slot {
        std::atomic<uint64_t> stamp{0};  // 0 = never written; 2s+1 writing s; 2s+2 holds s
        alignas(8) uint64_t words[kWords];
    };
    const size_t mask_;
    std::unique_ptr<Slot[]> slots_;
    alignas(64) std::atomic<uint64_t> head_{0};  // own cache line: readers poll it
};

}  // namespace r53::server
