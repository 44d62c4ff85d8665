#pragma once
// Zero-copy file transmission from the ring thread: sendfile(2) without ever blocking on the
// socket. io_uring has no sendfile, and its splice always runs on io-wq threads; a synchronous
// sendfile that stops when the socket buffer is full moves page-cache pages straight into the
// socket, like nginx's `sendfile on`.

#include <sys/types.h>

#include <cstddef>

#include "ringhttpd/response.hpp"

namespace ringhttpd::io {

// Sends up to `max_bytes` of `file` on the socket and advances it. Returns the bytes sent, or
// -errno: -EAGAIN when the socket buffer is full (wait for POLLOUT), 0 when the file ended early.
//
// The socket stays a blocking socket for io_uring (an O_NONBLOCK socket makes io_uring return
// -EAGAIN instead of waiting); O_NONBLOCK is set only for the duration of the call. That is safe
// because io_uring work for this socket runs only on this thread, never concurrently with it.
long send_file_nonblocking(int socket_fd, file_body& file, size_t max_bytes);

// Whether the next `max_bytes` of `file` are all in the page cache, so sendfile cannot wait for
// a disk (cachestat, Linux 6.5+). True where the kernel cannot tell: then the ring sends as
// before.
bool file_chunk_resident(const file_body& file, size_t max_bytes);

// For a worker: reads the next `max_bytes` of `file` (without advancing it), which brings them
// into the page cache. Blocks on the disk; that is the point.
void warm_file_chunk(const file_body& file, size_t max_bytes);

}  // namespace ringhttpd::io
