#pragma once
// Serves files under a root directory for GET and HEAD. The path is percent-decoded and
// normalised, then opened with openat2(RESOLVE_BENEATH) relative to the root, so the kernel
// itself refuses any path or symlink that leads outside the root.
//
// Staged (see router.hpp): on the ring thread a request is answered from that ring's open-file
// cache, or else from a first attempt that cannot block (openat2 RESOLVE_CACHED, preadv2
// RWF_NOWAIT: only what the dentry and page caches hold). What would have to wait for a disk is
// work for the pool. Both fill the cache. Thread-safe.

#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "handlers/file_cache.hpp"
#include "ringhttpd/request.hpp"
#include "ringhttpd/response.hpp"
#include "ringhttpd/router.hpp"
#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::handlers {

// How reading a file went; would_block: only without may_block, the page cache lacked some of it.
enum class read_result { done, failed, would_block };

class static_files {
  public:
    // Throws std::runtime_error when `root` is not a readable directory.
    explicit static_files(const std::string& root);

    route_result serve(const request& req) const;

  private:
    // Resolves `relative` (a normalised path) to a file, fills `cache` and answers. Unless
    // `may_block`, it gives up (nullopt) as soon as it would have to wait for a disk.
    std::optional<response> open_and_serve(const request& req, const std::string& relative,
                                           file_cache& cache, bool may_block) const;
    // The open regular file at `path` as a cache entry, in `out` when done.
    read_result load(const std::string& path, const struct stat& st, unique_fd fd, bool may_block,
                     file_cache::entry& out) const;
    file_cache& ring_cache() const;  // the calling thread's cache, made on first use

    unique_fd root_fd_;
    const uint64_t id_;  // tells this instance's thread caches from an earlier one's
    mutable std::mutex caches_mutex_;
    mutable std::deque<file_cache> caches_;  // one per ring thread; outlives pool work for it
};

}  // namespace ringhttpd::handlers
