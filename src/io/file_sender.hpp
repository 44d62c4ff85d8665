#pragma once
// Zero-copy file transmission from the ring thread: sendfile(2) without ever blocking on the
// socket. io_uring has no sendfile, and its splice always runs on io-wq threads; a synchronous
// sendfile that stops when the socket buffer is full moves page-cache pages straight into the
// socket, like nginx's `sendfile on`.

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "io/file_range.hpp"

namespace ringhttpd::io {

// Sends up to `max_bytes` of `file` on `socket_fd`, which must be O_NONBLOCK (accepted sockets
// are), and advances it. Returns the bytes sent, or -errno: -EAGAIN when the socket buffer is
// full (wait for POLLOUT), 0 when the file ended early.
long send_file_nonblocking(int socket_fd, file_range& file, size_t max_bytes);

// Whether the next `max_bytes` of a file are all in the page cache, so sendfile cannot wait for
// a disk (cachestat, Linux 6.5+; true where the kernel cannot tell, and the ring sends as before).
//
// An answer is remembered for a second per file: a hot file sent over and over is checked once
// a second instead of once per response (the check walks the page cache; it was ~3% of the CPU
// of a 64 KB response). A page evicted within that second costs one sendfile that waits for the
// disk on the ring thread, which is what a sendfile server without the check risks every time.
class page_cache_check {
  public:
    // Without cachestat every chunk counts as resident, as on kernels before 6.5: the ring
    // sends straight away, like any sendfile server.
    explicit page_cache_check(bool use_cachestat = true) : use_cachestat_(use_cachestat) {}
    bool uses_cachestat() const { return use_cachestat_; }
    bool chunk_resident(const file_range& file, size_t max_bytes, uint64_t now_ms);

  private:
    struct verdict {
        // weak: the memo must not keep a file open, and while it holds the control block no
        // other file can take its place at the same address.
        std::weak_ptr<const unique_fd> file;
        uint64_t checked_ms = 0;
        uint64_t begin = 0, end = 0;  // the byte range found resident
    };
    std::array<verdict, 64> recent_{};  // direct-mapped by the file's address
    bool use_cachestat_;
};

// Whether this kernel has cachestat(2) (Linux 6.5+), asked once.
bool kernel_has_cachestat();

// For a worker: reads the next `max_bytes` of `file` (without advancing it), which brings them
// into the page cache. Blocks on the disk; that is the point.
void warm_file_chunk(const file_range& file, size_t max_bytes);

}  // namespace ringhttpd::io
