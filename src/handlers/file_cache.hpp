#pragma once
// The open-file cache, one per ring (nginx's open_file_cache, plus the content of small files):
// a hot file is served without opening, stat-ing or reading anything. Each entry is revalidated
// by path at most once a second (device, inode, size and mtime), so a file changed, replaced or
// deleted is never served stale for more than a second. Bounded in entries, hence in open
// descriptors, and in bytes of content held.
//
// Lookups run on the ring thread; entries are added by workers (a miss is opened on the pool),
// hence the lock, which the ring only ever shares with the few workers filling its misses.

#include <sys/stat.h>

#include <ctime>
#include <memory>
#include <mutex>
#include <string>
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
    std::string content_type;             // by the file's extension
    std::string etag;                     // of these bytes
    std::string last_modified;            // the file's mtime as an HTTP date

    uint64_t size() const { return fd ? uint64_t(st.st_size) : content.size(); }
};

class file_cache {
  public:
    using entry = std::shared_ptr<const cached_file>;

    static constexpr size_t max_entries = 512;
    static constexpr off_t max_content_size = 16 * 1024;   // larger files keep a descriptor
    static constexpr size_t max_bytes = 64 * 1024 * 1024;  // contents held, compressed copies too

    // The file cached for `key` (a normalised request path), or null when it is not cached or
    // no longer matches the file under `root_fd` (then it is dropped).
    entry find(int root_fd, const std::string& key, std::time_t now_s);
    void store(const std::string& key, entry file, std::time_t now_s);

  private:
    struct slot {
        entry file;
        std::time_t checked_s = 0;  // last revalidation
    };

    void erase(std::unordered_map<std::string, slot>::iterator it);

    std::mutex mutex_;
    std::unordered_map<std::string, slot> entries_;
    size_t bytes_ = 0;  // sum of the entries' content sizes
};

}  // namespace ringhttpd::handlers
