#include "io/file_sender.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
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

}  // namespace

long send_file_nonblocking(int socket_fd, file_body& file, size_t max_bytes) {
    // Accepted sockets carry no F_SETFL-settable flag but the one toggled here, so there is no
    // need to read them first (one syscall less per chunk).
    if (fcntl(socket_fd, F_SETFL, O_NONBLOCK) < 0) return -errno;
    const size_t want = size_t(std::min<uint64_t>(file.length, max_bytes));
    ssize_t n;
    do {
        n = sendfile(socket_fd, file.fd->get(), &file.offset, want);
    } while (n < 0 && errno == EINTR);
    const int err = errno;
    fcntl(socket_fd, F_SETFL, 0);
    if (n < 0) return -err;
    file.length -= uint64_t(n);
    return n;
}

bool file_chunk_resident(const file_body& file, size_t max_bytes) {
    static const long page = sysconf(_SC_PAGESIZE);
    const uint64_t want = std::min<uint64_t>(file.length, max_bytes);
    if (want == 0) return true;
    cachestat_range range{uint64_t(file.offset), want};
    cachestat_result stat{};
    if (syscall(sys_cachestat, file.fd->get(), &range, &stat, 0) != 0) return true;  // unknown
    const uint64_t first_page = uint64_t(file.offset) / uint64_t(page);
    const uint64_t last_page = (uint64_t(file.offset) + want - 1) / uint64_t(page);
    return stat.nr_cache >= last_page - first_page + 1;
}

void warm_file_chunk(const file_body& file, size_t max_bytes) {
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
