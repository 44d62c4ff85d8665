#pragma once
// The open-file cache, one per ring (nginx's open_file_cache, plus the content of small files):
// a hot file is served without opening, stat-ing or reading anything. Each entry is revalidated
// by path at most once a second (device, inode, size and mtime), so a file changed, replaced or
// deleted is never served stale for more than a second.
//
// Bounded in entries and in open descriptors (files too large to keep in memory keep their
// descriptor), and in bytes of content by a budget all rings' caches share, so memory does not
// grow with the number of cores. When full, the least recently used entry goes: the in-memory
// entries and the descriptor-holding ones are each kept in recency order, so a descriptor is
// only ever given up for another descriptor, and bytes only for bytes.
//
// A full cache that mostly misses (its files outnumber it, or something walks the whole site)
// gains little from replacing an entry on every miss, and each replacement touches memory long
// out of the CPU's caches: while fewer than half the recent lookups hit, a full cache takes in
// only one new file in eight (a file asked for often still gets in soon; compressed copies,
// costly to make again, always do).
//
// Lookups run on the ring thread; entries are added by workers (a miss is opened on the pool),
// hence the lock, which the ring only ever shares with the few workers filling its misses.

#include <sys/stat.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::handlers {

// A regular file as opened, or the gzip-compressed copy of one, or the remembered absence of a
// precompressed sidecar. Immutable once made, shared by the cache and responses in flight.
struct cached_file {
    std::string path;     // relative to the root, as opened (a directory's index.html included)
    bool exists = true;   // false: there is no file at `path` (revalidated like the others)
    struct stat st {};    // of the file at `path`: what revalidation compares
    std::string content;  // the whole file when small, or its compressed copy
    std::shared_ptr<const unique_fd> fd;  // else the open file, to stream from
    std::string_view content_type;        // by the file's extension (the MIME table's static text)
    std::string etag;                     // of these bytes
    // The file's mtime, but never later than when it was read: a Last-Modified date must not
    // be in the future of the response's Date (RFC 9110 §8.8.2.1).
    std::time_t modified = 0;
    std::string last_modified;  // `modified` as an HTTP date
    // The head fields of its usual answer, made once (make_prebuilt_fields); empty: none.
    std::string prebuilt_fields;

    uint64_t size() const { return fd ? uint64_t(st.st_size) : content.size(); }
};

struct file_cache_limits {
    // Entries of every kind (nginx users typically set open_file_cache max=10000). 0: no cache.
    size_t entries = 10'000;
    // Entries holding an open descriptor: a ring never keeps more files open than this.
    size_t descriptors = 512;
};

// The bytes of content (small files, compressed copies) that several caches may hold together.
class content_budget {
  public:
    explicit content_budget(size_t limit) : limit_(limit) {}

    size_t limit() const { return limit_; }
    // Takes `n` bytes if that stays within the limit.
    bool try_take(size_t n);
    void give_back(size_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }

  private:
    const size_t limit_;
    std::atomic<size_t> used_{0};
};

class file_cache {
  public:
    using entry = std::shared_ptr<const cached_file>;

    static constexpr off_t max_content_size = 16 * 1024;  // larger files keep a descriptor

    // `budget` must outlive the cache.
    file_cache(file_cache_limits limits, content_budget& budget)
        : limits_(limits), budget_(budget) {}
    ~file_cache() { budget_.give_back(bytes_); }
    file_cache(const file_cache&) = delete;
    file_cache& operator=(const file_cache&) = delete;

    // The file cached for `key` (a normalised request path), or null when it is not cached or
    // no longer matches the file under `root_fd` (then it is dropped).
    entry find(int root_fd, const std::string& key, std::time_t now_s);
    // How costly an entry is to make again: a plain file is opened and read again (and may be
    // turned away while the cache thrashes), a compressed copy is compressed again.
    enum class remake { cheap, costly };
    // Keeps `file`, evicting the least recently used entries it needs room from; a file that
    // alone exceeds a limit is not kept.
    void store(const std::string& key, entry file, std::time_t now_s, remake cost = remake::cheap);

    size_t size() const;
    size_t open_descriptors() const;

  private:
    struct slot;
    using table = std::unordered_map<std::string, slot>;
    // The map's nodes in recency order, most recent first (node addresses are stable).
    using recency = std::list<table::value_type*>;
    struct slot {
        entry file;
        std::time_t checked_s = 0;  // last revalidation
        recency::iterator place;    // in recency_of(*file)
        uint64_t used = 0;          // when last found or stored, on clock_
    };

    recency& recency_of(const cached_file& file) { return file.fd ? with_fd_ : in_memory_; }
    bool fits(const cached_file& file) const;
    // While full and missing more than it hits: whether to turn this new cheap entry away.
    bool turn_away(remake cost);
    // Evicts until `file` may be added; false when the shared budget is held by other caches.
    bool make_room_for(const cached_file& file);
    void evict_least_recent(recency& list);
    void erase(table::iterator it);

    const file_cache_limits limits_;
    content_budget& budget_;
    mutable std::mutex mutex_;
    table entries_;
    recency in_memory_, with_fd_;
    size_t bytes_ = 0;    // sum of the entries' content sizes, taken from budget_
    uint64_t clock_ = 0;  // counts finds and stores: orders the two lists' tails
    // Recent lookups and hits, both halved every 4,096 lookups, so they follow the traffic.
    uint32_t lookups_ = 0, hits_ = 0;
    uint32_t new_while_thrashing_ = 0;  // cheap entries offered while thrashing; every 8th kept
};

}  // namespace ringhttpd::handlers
