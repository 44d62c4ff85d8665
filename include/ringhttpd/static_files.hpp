#pragma once
// Static files under a root directory, for GET and HEAD, with what nginx and Caddy users expect:
// validators and conditional requests (304, 412), byte ranges (206, multipart, 416, If-Range),
// precompressed sidecars (file.br, file.gz) and on-the-fly gzip (compressed once, then cached),
// index files (index.html) and optional directory listings, caching headers, and a per-ring
// open-file cache. Paths are resolved by the kernel beneath the root (openat2 RESOLVE_BENEATH): no
// request path or symlink leads outside it. Details: docs/http.md.
//
//     ringhttpd::static_files files("/srv/www", {.autoindex = true});
//     routes.set_fallback(files.handler());

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ringhttpd/handler.hpp"

namespace ringhttpd {

namespace handlers {
class static_files;
}

struct static_files_options {
    // What a directory serves: the first of these files it holds (nginx `index`).
    std::vector<std::string> index{"index.html"};
    bool autoindex = false;  // list directories without an index file (nginx autoindex); else 403
    bool precompressed = true;  // file.br / file.gz for clients that accept them (gzip_static)
    bool gzip = true;           // compress compressible files over 1 KB on the fly, once
    // Entries in each ring's open-file cache (nginx open_file_cache max=N); 0 turns it off.
    size_t open_file_cache = 10'000;
    // nginx `expires`: unset: no Cache-Control; seconds > 0: max-age; 0: no-cache; < 0: epoch.
    std::optional<int64_t> expires_s;
    // The URL prefix the root stands for (nginx `alias`): with "/assets/", /assets/app.js is
    // ROOT/app.js. Empty: the whole path is looked up under the root (nginx `root`).
    std::string url_prefix;
};

class static_files {
  public:
    // Throws std::runtime_error when `root` is not a readable directory.
    explicit static_files(const std::string& root, static_files_options options = {});

    // Serves `req` from the file its path names: on a ring from that ring's cache, with what
    // might wait for a disk handed back as work for the pool.
    route_result serve(const request& req, const context& ctx) const;
    // serve() as a handler for router::set_fallback; it shares ownership of the files.
    staged_handler handler() const;

  private:
    std::shared_ptr<const handlers::static_files> impl_;
};

}  // namespace ringhttpd
