#pragma once
// Serves files under a root directory for GET and HEAD. The path is percent-decoded and
// normalised, then opened with openat2(RESOLVE_BENEATH) relative to the root, so the kernel
// itself refuses any path or symlink that leads outside the root. Thread-safe (read-only).

#include <sys/stat.h>

#include <string>

#include "ringhttpd/request.hpp"
#include "ringhttpd/response.hpp"
#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::handlers {

class static_files {
  public:
    // Throws std::runtime_error when `root` is not a readable directory.
    explicit static_files(const std::string& root);

    response serve(const request& req) const;

  private:
    // `name`: the path opened (relative to the root); `cache_key`: the request's path.
    response serve_file(unique_fd fd, const struct stat& st, const std::string& name, bool head,
                        const std::string& cache_key) const;

    unique_fd root_fd_;
};

}  // namespace ringhttpd::handlers
