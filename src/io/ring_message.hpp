#pragma once
// Posting a completion into another thread's ring from a thread that has no ring of its own:
// the synchronous, ring-less IORING_OP_MSG_RING of Linux 6.13+ (io_uring_register with fd -1
// and IORING_REGISTER_SEND_MSG_RING). The target ring sees an ordinary CQE carrying `user_data`,
// which also wakes it if it is waiting in io_uring_enter.

#include <cstdint>

namespace ringhttpd::io {

// 0 on success, else -errno (-EINVAL on kernels before 6.13, which do not know the opcode).
int post_to_ring(int ring_fd, uint64_t user_data);

}  // namespace ringhttpd::io
