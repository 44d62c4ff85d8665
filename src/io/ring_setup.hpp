#pragma once
// Creating an io_uring ring for a thread-per-core reactor, with the flag fallback chain of
// DESIGN §3, and the startup probe that turns "io_uring unavailable" into an actionable message.

#include <liburing.h>

#include <string>

#include "io/kernel_compat.hpp"

namespace ringhttpd::io {

struct ring_info {
    unsigned flags = 0;           // IORING_SETUP_* actually in use
    unsigned features = 0;        // IORING_FEAT_* reported by the kernel
    bool multishot_recv = false;  // recv with IORING_RECV_MULTISHOT (kernel 6.0+)
    bool send_zc = false;
    bool msg_ring = false;
};

// Initialises `ring` with the best flags this kernel accepts and `compat` allows. Throws
// std::runtime_error naming the cause and the fix when io_uring cannot be used at all.
ring_info setup_ring(io_uring& ring, unsigned sq_entries, const kernel_compat& compat = {});

// Checks once, before any thread starts, that io_uring works here; throws like setup_ring.
void probe_io_uring();

// A free submission entry; when the SQ is full, hands it to the kernel first.
io_uring_sqe* next_sqe(io_uring& ring);

std::string describe_flags(unsigned setup_flags);
std::string describe_features(const ring_info& info);
// The message for io_uring_queue_init failing with -err (exposed for unit tests), given the
// value of the sysctl kernel.io_uring_disabled (-1: the kernel has none, before 6.6).
std::string io_uring_unavailable_message(int err, int io_uring_disabled);
// kernel.io_uring_disabled as this host has it, or -1.
int io_uring_disabled_sysctl();

}  // namespace ringhttpd::io
