#pragma once
// Serves files under a root directory for GET and HEAD, with what nginx and Caddy users expect:
// validators and conditional requests, byte ranges, precompressed sidecars (file.br, file.gz)
// and on-the-fly gzip (compressed once, then cached), optional directory listings and caching
// headers. The path is percent-decoded and normalised, then opened with
// openat2(RESOLVE_BENEATH) relative to the root, so the kernel itself refuses any path or
// symlink that leads outside the root.
//
// Staged (see router.hpp): on the ring thread a request is answered from that ring's open-file
// cache, or else from a first attempt that cannot block (openat2 RESOLVE_CACHED, preadv2
// RWF_NOWAIT: only what the dentry and page caches hold). What would have to wait for a disk,
// listing a directory and compressing are work for the pool. Both fill the cache, which each ring
// keeps in its ring_storage. Thread-safe.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "handlers/file_cache.hpp"
#include "handlers/file_response.hpp"
#include "ringhttpd/handler.hpp"
#include "ringhttpd/request.hpp"
#include "ringhttpd/response.hpp"
#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::handlers {

struct static_options {
    std::vector<std::string> index{"index.html"};  // a directory's file: the first that exists
    bool autoindex = false;     // list directories that have none of the index files (else 403)
    bool precompressed = true;  // serve file.br / file.gz to clients that accept them
    bool gzip = true;           // compress compressible files over 1 KB on the fly
    file_response_options response;
    std::string
        url_prefix;  // the URL prefix the root stands for (nginx alias); see the public header
    file_cache_limits cache;  // of each ring's open-file cache
    // File contents all rings' caches hold together (files up to 16 KiB, compressed copies).
    size_t cache_content_bytes = 256 * 1024 * 1024;
};

// How reading a file went; would_block: only without may_block, the page cache lacked some of it.
enum class read_result { done, failed, would_block };

class static_files {
  public:
    // Throws std::runtime_error when `root` is not a readable directory.
    explicit static_files(const std::string& root, static_options options = {});

    // On a ring (ctx.storage set), from that ring's open-file cache; elsewhere uncached and
    // blocking.
    route_result serve(const request& req, const context& ctx) const;

    // Files larger than this are not compressed on the fly (they would crowd out the cache).
    static constexpr uint64_t gzip_max_size = 16 * 1024 * 1024;

  private:
    // The request path with url_prefix taken off, as it is looked up under the root.
    std::string_view path_under_root(std::string_view path) const;
    // The steps below do only what cannot block unless `may_block`; nullopt means "would block:
    // do it again on the pool".
    std::optional<response> resolve(const request& req, const std::string& relative,
                                    file_cache& cache, bool may_block) const;
    // The file a request path names (a directory's index file), or the answer instead of a file
    // (redirect, 403, 404, directory listing).
    using file_or_answer = std::variant<file_cache::entry, response>;
    std::optional<file_or_answer> find_file(const request& req, const std::string& relative,
                                            file_cache& cache, bool may_block) const;
    std::optional<file_or_answer> open_file(const request& req, const std::string& relative,
                                            bool may_block) const;
    // `original` + suffix (".br", ".gz"): an entry that exists or remembers the absence.
    std::optional<file_cache::entry> find_sidecar(const cached_file& original,
                                                  std::string_view suffix, file_cache& cache,
                                                  bool may_block) const;
    // The gzip-compressed copy of `original`; a null entry if compressing failed.
    std::optional<file_cache::entry> find_gzipped(const cached_file& original, file_cache& cache,
                                                  bool may_block) const;
    // The open regular file at `path` as a cache entry, in `out` when done.
    read_result load(const std::string& path, const struct stat& st, unique_fd fd, bool may_block,
                     file_cache::entry& out) const;

    unique_fd root_fd_;
    const static_options options_;
    mutable content_budget content_budget_;  // shared by every ring's cache
};

}  // namespace ringhttpd::handlers
