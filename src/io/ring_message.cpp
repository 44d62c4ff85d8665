#include "io/ring_message.hpp"

#include <liburing.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace ringhttpd::io {
namespace {

// Not in Debian 12's headers (liburing 2.3, Linux 6.1 UAPI); stable ABI since 6.13.
constexpr unsigned register_send_msg_ring = 31;

}  // namespace

int post_to_ring(int ring_fd, uint64_t user_data) {
    io_uring_sqe sqe{};
    io_uring_prep_msg_ring(&sqe, ring_fd, 0, user_data, 0);
    long ret = syscall(__NR_io_uring_register, -1, register_send_msg_ring, &sqe, 1);
    return ret < 0 ? -errno : 0;
}

}  // namespace ringhttpd::io
