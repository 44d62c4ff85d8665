#include "handlers/static_files.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "handlers/mime.hpp"
#include "http/url.hpp"

namespace ringhttpd::handlers {
namespace {

std::atomic<uint64_t> next_instance_id{1};

std::time_t now_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return ts.tv_sec;
}

#ifndef RESOLVE_CACHED
#define RESOLVE_CACHED 0x20  // Linux 5.12; not in every libc's headers
#endif

// Opens `relative` beneath `dir`. RESOLVE_BENEATH makes the kernel refuse "..", absolute paths
// and symlinks that would leave `dir` (EXDEV); O_NONBLOCK keeps a FIFO from blocking the open.
// Without `may_block`, RESOLVE_CACHED makes it fail with EAGAIN unless every path component is
// in the dentry cache, i.e. unless it can finish without waiting for a disk.
int open_beneath(int dir, const std::string& relative, bool may_block) {
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (may_block ? 0 : RESOLVE_CACHED);
    const char* path = relative.empty() ? "." : relative.c_str();
    return int(syscall(SYS_openat2, dir, path, &how, sizeof how));
}

// An open that failed only because it would have had to wait (or, before 5.12, because
// RESOLVE_CACHED is unknown): retry it on the pool.
bool would_block(int err) {
    return err == EAGAIN || err == EINVAL;
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

// Reads the whole file. Without `may_block`, RWF_NOWAIT reads only what the page cache holds:
// anything less is would_block, and the read is retried on the pool.
read_result read_whole(int fd, std::string& out, size_t size, bool may_block) {
    out.resize(size);
    size_t done = 0;
    while (done < size) {
        iovec iov{out.data() + done, size - done};
        ssize_t n = preadv2(fd, &iov, 1, off_t(done), may_block ? 0 : RWF_NOWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (!may_block &&
            (n < 0 ? errno == EAGAIN || errno == EOPNOTSUPP : size_t(n) < iov.iov_len))
            return read_result::would_block;
        if (n <= 0) return read_result::failed;  // the file shrank or failed while reading
        done += size_t(n);
    }
    return read_result::done;
}

response respond_with(const cached_file& file) {
    response res;
    res.content_type = file.content_type;
    if (file.fd) {
        res.file = file_body{file.fd, 0, uint64_t(file.st.st_size)};
    } else {
        res.body = file.content;
    }
    return res;
}

}  // namespace

static_files::static_files(const std::string& root) : id_(next_instance_id++) {
    root_fd_.reset(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd_)
        throw std::runtime_error("cannot open document root '" + root + "': " + strerror(errno) +
                                 " (pass an existing directory with --root DIR)");
}

file_cache& static_files::ring_cache() const {
    thread_local uint64_t cache_owner = 0;
    thread_local file_cache* cache = nullptr;
    if (cache_owner != id_) {
        std::lock_guard lock(caches_mutex_);
        cache = &caches_.emplace_back();
        cache_owner = id_;
    }
    return *cache;
}

route_result static_files::serve(const request& req) const {
    auto decoded = http::percent_decode(req.path);
    if (!decoded || decoded->find('\0') != std::string::npos) return response::error(400);
    auto relative = http::normalize_path(*decoded);
    if (!relative) return response::error(400);  // ".." above the root

    file_cache& cache = ring_cache();
    if (file_cache::entry hit = cache.find(root_fd_.get(), *relative, now_seconds()))
        return respond_with(*hit);
    // Not cached: try once more without blocking (all of it in the dentry and page caches),
    // and only what would have to wait goes to the pool.
    if (auto res = open_and_serve(req, *relative, cache, false)) return std::move(*res);
    return blocking_work([this, req, relative = std::move(*relative), &cache] {
        return *open_and_serve(req, relative, cache, true);
    });
}

std::optional<response> static_files::open_and_serve(const request& req,
                                                     const std::string& relative, file_cache& cache,
                                                     bool may_block) const {
    unique_fd fd(open_beneath(root_fd_.get(), relative, may_block));
    if (!fd) {
        if (!may_block && would_block(errno)) return std::nullopt;
        return error_for_open_failure(errno);
    }
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) return response::error(500);
    std::string path = relative;

    if (S_ISDIR(st.st_mode)) {
        if (!relative.empty() && relative.back() != '/') {
            // Like nginx: a directory is addressed with a trailing slash. The Location is built
            // from the normalised path, percent-encoded, so nothing raw is reflected.
            response res = response::error(301);
            std::string location = http::percent_encode_path("/" + relative + "/");
            if (!req.query.empty()) location += "?" + req.query;
            res.headers.emplace_back("Location", std::move(location));
            return res;
        }
        path = relative + "index.html";
        fd.reset(open_beneath(root_fd_.get(), path, may_block));
        if (!fd && !may_block && would_block(errno)) return std::nullopt;
        if (!fd) return errno == ENOENT ? response::error(403) : error_for_open_failure(errno);
        if (fstat(fd.get(), &st) != 0) return response::error(500);
    }
    if (!S_ISREG(st.st_mode)) return response::error(404);  // FIFOs, sockets, devices
    file_cache::entry file;
    switch (load(path, st, std::move(fd), may_block, file)) {
        case read_result::would_block:
            return std::nullopt;
        case read_result::failed:
            return response::error(500);
        case read_result::done:
            break;
    }
    cache.store(relative, file, now_seconds());
    return respond_with(*file);
}

read_result static_files::load(const std::string& path, const struct stat& st, unique_fd fd,
                               bool may_block, file_cache::entry& out) const {
    auto file = std::make_shared<cached_file>();
    file->path = path;
    file->st = st;
    file->content_type = std::string(mime_type_for(path));
    if (st.st_size <= file_cache::max_content_size) {
        // Small files are kept in memory: one copy is cheaper than the syscalls of a sendfile.
        read_result r = read_whole(fd.get(), file->content, size_t(st.st_size), may_block);
        if (r != read_result::done) return r;
    } else {
        // Larger ones keep their descriptor and go from the page cache with sendfile.
        file->fd = std::make_shared<const unique_fd>(std::move(fd));
    }
    out = std::move(file);
    return read_result::done;
}

}  // namespace ringhttpd::handlers
