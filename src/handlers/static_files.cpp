#include "handlers/static_files.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "handlers/file_cache.hpp"
#include "handlers/mime.hpp"
#include "http/url.hpp"

namespace ringhttpd::handlers {
namespace {

// Files up to this size are read into the response (one copy is cheaper than the extra
// syscalls) and kept in the per-thread cache; larger ones are sent from the page cache with
// sendfile.
constexpr off_t inline_file_limit = file_cache::max_file_size;

// One cache per thread: each ring thread serves from its own, without locks.
file_cache& thread_cache(const static_files* owner) {
    thread_local const static_files* cache_owner = nullptr;
    thread_local file_cache cache;
    if (cache_owner != owner) {  // another document root: start afresh
        cache = file_cache{};
        cache_owner = owner;
    }
    return cache;
}

std::time_t now_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return ts.tv_sec;
}

// Opens `relative` beneath `dir`. RESOLVE_BENEATH makes the kernel refuse "..", absolute paths
// and symlinks that would leave `dir` (EXDEV); O_NONBLOCK keeps a FIFO from blocking the open.
int open_beneath(int dir, const std::string& relative) {
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    const char* path = relative.empty() ? "." : relative.c_str();
    return int(syscall(SYS_openat2, dir, path, &how, sizeof how));
}

response error_for_open_failure(int err) {
    switch (err) {
        case ENOENT:
        case ENOTDIR:
        case ENAMETOOLONG:
            return response::error(404);
        case EACCES:
        case EPERM:
        case EXDEV:  // a symlink pointing outside the root
        case ELOOP:
            return response::error(403);
        case EMFILE:
        case ENFILE:
            return response::error(503);
        default:
            return response::error(500);
    }
}

}  // namespace

static_files::static_files(const std::string& root) {
    root_fd_.reset(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd_)
        throw std::runtime_error("cannot open document root '" + root + "': " + strerror(errno) +
                                 " (pass an existing directory with --root DIR)");
}

response static_files::serve(const request& req) const {
    auto decoded = http::percent_decode(req.path);
    if (!decoded || decoded->find('\0') != std::string::npos) return response::error(400);
    auto relative = http::normalize_path(*decoded);
    if (!relative) return response::error(400);  // ".." above the root

    file_cache& cache = thread_cache(this);
    if (const file_cache::file* hit = cache.find(root_fd_.get(), *relative, now_seconds())) {
        response res;
        res.content_type = hit->content_type;
        res.body = hit->content;
        return res;
    }

    unique_fd fd(open_beneath(root_fd_.get(), *relative));
    if (!fd) return error_for_open_failure(errno);
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) return response::error(500);
    const bool head = req.method == "HEAD";

    if (S_ISDIR(st.st_mode)) {
        if (!relative->empty() && relative->back() != '/') {
            // Like nginx: a directory is addressed with a trailing slash. The Location is built
            // from the normalised path, percent-encoded, so nothing raw is reflected.
            response res = response::error(301);
            std::string location = http::percent_encode_path("/" + *relative + "/");
            if (!req.query.empty()) location += "?" + req.query;
            res.headers.emplace_back("Location", std::move(location));
            return res;
        }
        std::string index = *relative + "index.html";
        fd.reset(open_beneath(root_fd_.get(), index));
        if (!fd) return errno == ENOENT ? response::error(403) : error_for_open_failure(errno);
        if (fstat(fd.get(), &st) != 0) return response::error(500);
        return serve_file(std::move(fd), st, index, head, *relative);
    }
    return serve_file(std::move(fd), st, *relative, head, *relative);
}

response static_files::serve_file(unique_fd fd, const struct stat& st, const std::string& name,
                                  bool head, const std::string& cache_key) const {
    if (!S_ISREG(st.st_mode)) return response::error(404);  // FIFOs, sockets, devices
    response res;
    res.content_type = std::string(mime_type_for(name));
    if (head || st.st_size > inline_file_limit) {
        // HEAD only needs the length; large files go from the page cache with sendfile.
        res.file = file_body{std::move(fd), 0, uint64_t(st.st_size)};
        return res;
    }
    res.body.resize(size_t(st.st_size));
    size_t done = 0;
    while (done < res.body.size()) {
        ssize_t n = pread(fd.get(), res.body.data() + done, res.body.size() - done, off_t(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return response::error(500);  // the file shrank or failed while reading
        done += size_t(n);
    }
    thread_cache(this).store(cache_key, {res.body, res.content_type, name, st, now_seconds()});
    return res;
}

}  // namespace ringhttpd::handlers
