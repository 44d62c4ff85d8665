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
    response serve_file(unique_fd fd, const struct stat& st, std::string_view name,
                        bool head) const;

    unique_fd root_fd_;
};

}  // namespace ringhttpd::handlers
