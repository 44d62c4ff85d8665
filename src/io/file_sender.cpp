#include "io/file_sender.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>

#include <algorithm>
#include <cerrno>

namespace ringhttpd::io {

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

}  // namespace ringhttpd::io
