#include "handlers/static_files.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <utility>

#include "handlers/autoindex.hpp"
#include "handlers/gzip.hpp"
#include "handlers/mime.hpp"
#include "handlers/validators.hpp"
#include "http/date_cache.hpp"
#include "http/url.hpp"

namespace ringhttpd::handlers {
namespace {

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

// Sidecar and compressed-copy entries live in the same cache under keys no request path can
// produce (normalised paths never contain control characters).
std::string sidecar_key(const cached_file& original, std::string_view suffix) {
    return "\x01" + original.path + std::string(suffix);
}

std::string gzipped_key(const cached_file& original) {
    return "\x02" + original.path;
}

bool worth_gzipping(const cached_file& file) {
    return is_compressible(file.content_type) && file.size() > 1024 &&
           file.size() <= static_files::gzip_max_size;
}

}  // namespace

static_files::static_files(const std::string& root, static_options options)
    : options_(std::move(options)), content_budget_(options_.cache_content_bytes) {
    root_fd_.reset(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd_)
        throw std::runtime_error("cannot open document root '" + root + "': " + strerror(errno) +
                                 " (pass an existing directory with --root DIR)");
}

std::string_view static_files::path_under_root(std::string_view path) const {
    // "/assets/" stands for the root: /assets/app.js -> /app.js (keeping the slash).
    std::string_view prefix = options_.url_prefix;
    if (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    if (!path.starts_with(prefix) || (path.size() > prefix.size() && path[prefix.size()] != '/'))
        return path;
    path.remove_prefix(prefix.size());
    return path.empty() ? "/" : path;
}

route_result static_files::serve(const request& req, const context& ctx) const {
    // Decoded only when there is something to decode: nearly every path has no '%', and a copy
    // of it (an allocation, past 15 bytes) would change nothing.
    std::string_view path = path_under_root(req.path);
    std::optional<std::string> decoded;
    if (path.find('%') != std::string_view::npos) {
        decoded = http::percent_decode(path);
        if (!decoded) return response::error(400);
        path = *decoded;
    }
    if (path.find('\0') != std::string_view::npos) return response::error(400);
    auto relative = http::normalize_path(path);
    if (!relative) return response::error(400);  // ".." above the root

    if (!ctx.storage) {
        // Outside a ring (no storage for a cache): serve it here, as blocking work would.
        file_cache uncached(file_cache_limits{0}, content_budget_);
        return *resolve(req, *relative, uncached, true);
    }
    // From the ring's cache, or else a first try without blocking (all of it in the dentry and
    // page caches); only what would have to wait goes to the pool. The cache lives in the
    // ring's storage.
    auto cache = ctx.storage->get_shared<file_cache>(
        this, [this] { return std::make_shared<file_cache>(options_.cache, content_budget_); });
    if (auto res = resolve(req, *relative, *cache, false)) return std::move(*res);
    // The work holds the cache: the ring may drop it meanwhile (a new set of routes).
    return blocking_work([this, req, relative = std::move(*relative), cache](const context&) {
        return *resolve(req, relative, *cache, true);
    });
}

std::optional<response> static_files::resolve(const request& req, const std::string& relative,
                                              file_cache& cache, bool may_block) const {
    auto found = find_file(req, relative, cache, may_block);
    if (!found) return std::nullopt;
    if (auto* answer = std::get_if<response>(&*found)) return std::move(*answer);
    const file_cache::entry& shared_original = std::get<file_cache::entry>(*found);
    const cached_file& original = *shared_original;

    // Which bytes: a precompressed sidecar or a compressed copy for clients that accept one,
    // except for range requests, which are served from the file itself.
    auto accept = req.header("Accept-Encoding");
    if (!accept || req.header("Range") || (!options_.precompressed && !options_.gzip))
        return file_response(req, original, shared_original, coding::identity, options_.response);
    const bool can_gzip = options_.gzip && worth_gzipping(original);
    auto wanted =
        choose_coding(accept, {options_.precompressed, options_.precompressed || can_gzip});
    if (wanted == coding::br) {
        auto br = find_sidecar(original, ".br", cache, may_block);
        if (!br) return std::nullopt;
        if ((*br)->exists) return file_response(req, original, *br, coding::br, options_.response);
        wanted = choose_coding(accept, {false, options_.precompressed || can_gzip});
    }
    if (wanted == coding::gzip && options_.precompressed) {
        auto gz = find_sidecar(original, ".gz", cache, may_block);
        if (!gz) return std::nullopt;
        if ((*gz)->exists)
            return file_response(req, original, *gz, coding::gzip, options_.response);
    }
    if (wanted == coding::gzip && can_gzip) {
        auto gzipped = find_gzipped(original, cache, may_block);
        if (!gzipped) return std::nullopt;
        if (*gzipped)
            return file_response(req, original, *gzipped, coding::gzip, options_.response);
    }
    return file_response(req, original, shared_original, coding::identity, options_.response);
}

std::optional<static_files::file_or_answer> static_files::find_file(const request& req,
                                                                    const std::string& relative,
                                                                    file_cache& cache,
                                                                    bool may_block) const {
    if (file_cache::entry hit = cache.find(root_fd_.get(), relative, now_seconds())) return hit;
    auto opened = open_file(req, relative, may_block);
    if (opened) {
        if (auto* file = std::get_if<file_cache::entry>(&*opened))
            cache.store(relative, *file, now_seconds());
    }
    return opened;
}

std::optional<static_files::file_or_answer> static_files::open_file(const request& req,
                                                                    const std::string& relative,
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
            // from the normalised path, percent-encoded, so nothing raw (no CR or LF) is
            // reflected.
            response res = response::error(301);
            std::string location = http::percent_encode_path("/" + relative + "/");
            if (!req.query.empty()) location += "?" + req.query;
            res.headers.emplace_back("Location", std::move(location));
            return res;
        }
        // The first index file that exists, as nginx's `index`.
        unique_fd index;
        int error = ENOENT;
        for (const std::string& name : options_.index) {
            path = relative + name;
            index = unique_fd(open_beneath(root_fd_.get(), path, may_block));
            error = errno;
            if (index || error != ENOENT) break;
        }
        if (!index && !may_block && would_block(error)) return std::nullopt;
        if (!index && error == ENOENT && options_.autoindex) {
            if (!may_block) return std::nullopt;  // reading a directory may wait: on the pool
            return response::text(200, directory_listing(fd.get(), "/" + relative),
                                  "text/html; charset=utf-8");
        }
        if (!index) return error == ENOENT ? response::error(403) : error_for_open_failure(error);
        fd = std::move(index);
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
    return file;
}

std::optional<file_cache::entry> static_files::find_sidecar(const cached_file& original,
                                                            std::string_view suffix,
                                                            file_cache& cache,
                                                            bool may_block) const {
    const std::string key = sidecar_key(original, suffix);
    if (file_cache::entry hit = cache.find(root_fd_.get(), key, now_seconds())) return hit;
    const std::string path = original.path + std::string(suffix);
    unique_fd fd(open_beneath(root_fd_.get(), path, may_block));
    if (!fd && !may_block && would_block(errno)) return std::nullopt;
    struct stat st {};
    file_cache::entry sidecar;
    if (fd && fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode)) {
        if (load(path, st, std::move(fd), may_block, sidecar) == read_result::would_block)
            return std::nullopt;
    }
    if (!sidecar) {  // none (or unreadable): remember that, revalidated like any entry
        auto absent = std::make_shared<cached_file>();
        absent->path = path;
        absent->exists = false;
        sidecar = std::move(absent);
    }
    cache.store(key, sidecar, now_seconds());
    return sidecar;
}

std::optional<file_cache::entry> static_files::find_gzipped(const cached_file& original,
                                                            file_cache& cache,
                                                            bool may_block) const {
    const std::string key = gzipped_key(original);
    if (file_cache::entry hit = cache.find(root_fd_.get(), key, now_seconds())) return hit;
    if (!may_block) return std::nullopt;  // compressing takes a while: on the pool
    std::string identity;
    if (original.fd) {
        if (read_whole(original.fd->get(), identity, original.size(), true) != read_result::done)
            return file_cache::entry{};
    }
    auto compressed = gzip_compress(original.fd ? identity : original.content);
    if (!compressed) return file_cache::entry{};
    auto gzipped = std::make_shared<cached_file>();
    gzipped->path = original.path;  // revalidated against the original file
    gzipped->st = original.st;
    gzipped->content = std::move(*compressed);
    gzipped->etag = make_etag(original.st, "gzip");
    cache.store(key, gzipped, now_seconds(), file_cache::remake::costly);
    return gzipped;
}

read_result static_files::load(const std::string& path, const struct stat& st, unique_fd fd,
                               bool may_block, file_cache::entry& out) const {
    auto file = std::make_shared<cached_file>();
    file->path = path;
    file->st = st;
    file->content_type = mime_type_for(path);
    file->etag = make_etag(st);
    char date[32];
    file->modified = std::min(st.st_mtim.tv_sec, std::time(nullptr));
    file->last_modified = std::string(http::format_http_date(file->modified, date));
    if (st.st_size <= file_cache::max_content_size) {
        // Small files are kept in memory: one copy is cheaper than the syscalls of a sendfile.
        read_result r = read_whole(fd.get(), file->content, size_t(st.st_size), may_block);
        if (r != read_result::done) return r;
    } else {
        // Larger ones keep their descriptor and go from the page cache with sendfile.
        file->fd = std::make_shared<const unique_fd>(std::move(fd));
    }
    // Its usual answer's head, made now rather than on every request (a sidecar's goes unused:
    // it is only ever sent compressed, with the original's type and dates).
    file->prebuilt_fields = make_prebuilt_fields(file, options_.response);
    out = std::move(file);
    return read_result::done;
}

}  // namespace ringhttpd::handlers
