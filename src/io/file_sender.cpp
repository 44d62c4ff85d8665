#include "io/file_sender.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>

#include <algorithm>
#include <cerrno>

namespace ringhttpd::io {

long send_file_nonblocking(int socket_fd, file_body& file, size_t max_bytes) {
    const int flags = fcntl(socket_fd, F_GETFL);
    if (flags < 0) return -errno;
    if (fcntl(socket_fd, F_SETFL, flags | O_NONBLOCK) < 0) return -errno;
    const size_t want = size_t(std::min<uint64_t>(file.length, max_bytes));
    ssize_t n;
    do {
        n = sendfile(socket_fd, file.fd->get(), &file.offset, want);
    } while (n < 0 && errno == EINTR);
    const int err = errno;
    fcntl(socket_fd, F_SETFL, flags);
    if (n < 0) return -err;
    file.length -= uint64_t(n);
    return n;
}

}  // namespace ringhttpd::io
