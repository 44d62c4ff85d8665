#pragma once
// Serves files under a root directory for GET and HEAD. The path is percent-decoded and
// normalised, then opened with openat2(RESOLVE_BENEATH) relative to the root, so the kernel
// itself refuses any path or symlink that leads outside the root.
//
// Staged (see router.hpp): on the ring thread a request is answered from that ring's open-file
// cache; anything else (opening, stat-ing and reading files, redirects, errors) is work for the
// pool, which also fills the cache. Thread-safe.

#include <deque>
#include <mutex>
#include <string>

#include "handlers/file_cache.hpp"
#include "ringhttpd/request.hpp"
#include "ringhttpd/response.hpp"
#include "ringhttpd/router.hpp"
#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::handlers {

class static_files {
  public:
    // Throws std::runtime_error when `root` is not a readable directory.
    explicit static_files(const std::string& root);

    route_result serve(const request& req) const;

  private:
    // May block: resolves `relative` (a normalised path) to a file, fills `cache`, answers.
    response open_and_serve(const request& req, const std::string& relative,
                            file_cache& cache) const;
    // May block: the open regular file at `path` as a cache entry; null when it cannot be read.
    file_cache::entry load(const std::string& path, const struct stat& st, unique_fd fd) const;
    file_cache& ring_cache() const;  // the calling thread's cache, made on first use

    unique_fd root_fd_;
    const uint64_t id_;  // tells this instance's thread caches from an earlier one's
    mutable std::mutex caches_mutex_;
    mutable std::deque<file_cache> caches_;  // one per ring thread; outlives pool work for it
};

}  // namespace ringhttpd::handlers
