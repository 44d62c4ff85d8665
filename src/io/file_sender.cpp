#include "io/file_sender.hpp"

#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <vector>

namespace ringhttpd::io {
namespace {

// cachestat(2), Linux 6.5; not in Debian 12's headers. The number is the same on every
// architecture (the generic syscall table).
constexpr long sys_cachestat = 451;
struct cachestat_range {
    uint64_t off;
    uint64_t len;
};
struct cachestat_result {
    uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

bool range_resident(int fd, uint64_t offset, uint64_t length) {
    static const uint64_t page = uint64_t(sysconf(_SC_PAGESIZE));
    cachestat_range range{offset, length};
    cachestat_result stat{};
    if (syscall(sys_cachestat, fd, &range, &stat, 0) != 0) return true;  // unknown
    const uint64_t first_page = offset / page;
    const uint64_t last_page = (offset + length - 1) / page;
    return stat.nr_cache >= last_page - first_page + 1;
}

bool same_file(const std::weak_ptr<const unique_fd>& a, const std::shared_ptr<const unique_fd>& b) {
    return !a.owner_before(b) && !b.owner_before(a);
}

}  // namespace

long send_file_nonblocking(int socket_fd, file_range& file, size_t max_bytes) {
    const size_t want = size_t(std::min<uint64_t>(file.length, max_bytes));
    ssize_t n;
    do {
        n = sendfile(socket_fd, file.fd->get(), &file.offset, want);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    file.length -= uint64_t(n);
    return n;
}

bool kernel_has_cachestat() {
    // A descriptor that cannot be open: a kernel with the call answers EBADF, one without it
    // ENOSYS (and a seccomp filter that refuses it EPERM: without it all the same).
    static const bool has = [] {
        cachestat_range range{0, 0};
        cachestat_result stat{};
        return syscall(sys_cachestat, -1, &range, &stat, 0) != 0 && errno == EBADF;
    }();
    return has;
}

bool page_cache_check::chunk_resident(const file_range& file, size_t max_bytes, uint64_t now_ms) {
    if (!use_cachestat_) return true;
    constexpr uint64_t remember_ms = 1000;
    const uint64_t want = std::min<uint64_t>(file.length, max_bytes);
    if (want == 0) return true;
    const uint64_t begin = uint64_t(file.offset), end = begin + want;
    verdict& v = recent_[(std::hash<const void*>{}(file.fd.get()) >> 4) % recent_.size()];
    const bool fresh = same_file(v.file, file.fd) && now_ms - v.checked_ms < remember_ms;
    if (fresh && v.begin <= begin && end <= v.end) return true;
    if (!range_resident(file.fd->get(), begin, want)) return false;
    if (fresh && begin <= v.end && v.begin <= end) {
        // Touching the remembered range (a large file's next chunk): remember both, as of the
        // older check, so the next response for this file asks no more than this one did.
        v.begin = std::min(v.begin, begin);
        v.end = std::max(v.end, end);
    } else {
        v = {file.fd, now_ms, begin, end};
    }
    return true;
}

void warm_file_chunk(const file_range& file, size_t max_bytes) {
    thread_local std::vector<char> scratch(256 * 1024);
    uint64_t left = std::min<uint64_t>(file.length, max_bytes);
    off_t at = file.offset;
    while (left > 0) {
        ssize_t n =
            pread(file.fd->get(), scratch.data(), std::min<uint64_t>(left, scratch.size()), at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // sendfile will see the same error or end and report it
        at += n;
        left -= uint64_t(n);
    }
}

}  // namespace ringhttpd::io
