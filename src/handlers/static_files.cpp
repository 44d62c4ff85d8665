#include "handlers/static_files.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

bool read_whole(int fd, std::string& out, size_t size) {
    out.resize(size);
    size_t done = 0;
    while (done < size) {
        ssize_t n = pread(fd, out.data() + done, size - done, off_t(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;  // the file shrank or failed while reading
        done += size_t(n);
    }
    return true;
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
    return blocking_work([this, req, relative = std::move(*relative), &cache] {
        return open_and_serve(req, relative, cache);
    });
}

response static_files::open_and_serve(const request& req, const std::string& relative,
                                      file_cache& cache) const {
    unique_fd fd(open_beneath(root_fd_.get(), relative));
    if (!fd) return error_for_open_failure(errno);
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
        fd.reset(open_beneath(root_fd_.get(), path));
        if (!fd) return errno == ENOENT ? response::error(403) : error_for_open_failure(errno);
        if (fstat(fd.get(), &st) != 0) return response::error(500);
    }
    if (!S_ISREG(st.st_mode)) return response::error(404);  // FIFOs, sockets, devices
    file_cache::entry file = load(path, st, std::move(fd));
    if (!file) return response::error(500);
    cache.store(relative, file, now_seconds());
    return respond_with(*file);
}

file_cache::entry static_files::load(const std::string& path, const struct stat& st,
                                     unique_fd fd) const {
    auto file = std::make_shared<cached_file>();
    file->path = path;
    file->st = st;
    file->content_type = std::string(mime_type_for(path));
    if (st.st_size <= file_cache::max_content_size) {
        // Small files are kept in memory: one copy is cheaper than the syscalls of a sendfile.
        if (!read_whole(fd.get(), file->content, size_t(st.st_size))) return nullptr;
    } else {
        // Larger ones keep their descriptor and go from the page cache with sendfile.
        file->fd = std::make_shared<const unique_fd>(std::move(fd));
    }
    return file;
}

}  // namespace ringhttpd::handlers
