#include "io/buffer_ring.hpp"

#include <sys/mman.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace ringhttpd::io {

buffer_ring::buffer_ring(io_uring& ring, uint16_t group_id, unsigned count, unsigned buffer_size)
    : ring_(ring), group_id_(group_id), count_(count), buffer_size_(buffer_size) {
    if (count == 0 || count > 32768 || (count & (count - 1)) != 0)
        throw std::runtime_error("receive buffer count must be a power of two up to 32768");
    ring_bytes_ = count * sizeof(io_uring_buf) + size_t(count) * buffer_size;
    // MAP_POPULATE: the kernel hands out buffers in ring order, so under load every one of them
    // is touched sooner or later. Committing them now makes the pool a fixed cost paid at
    // startup, not memory that seems to grow with the number of connections.
    void* mem = mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (mem == MAP_FAILED)
        throw std::runtime_error("cannot map the receive buffer ring: " +
                                 std::string(strerror(errno)));
    ring_mem_ = static_cast<io_uring_buf_ring*>(mem);
    buffers_ = static_cast<char*>(mem) + count * sizeof(io_uring_buf);

    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<uint64_t>(ring_mem_);
    reg.ring_entries = count;
    reg.bgid = group_id;
    int ret = io_uring_register_buf_ring(&ring_, &reg, 0);
    if (ret < 0) {
        munmap(mem, ring_bytes_);
        throw std::runtime_error("cannot register the provided buffer ring (needs Linux 5.19+): " +
                                 std::string(strerror(-ret)));
    }
    io_uring_buf_ring_init(ring_mem_);
    const int mask = io_uring_buf_ring_mask(count);
    for (unsigned i = 0; i < count; ++i)
        io_uring_buf_ring_add(ring_mem_, buffers_ + size_t(i) * buffer_size, buffer_size, i, mask,
                              i);
    io_uring_buf_ring_advance(ring_mem_, count);
}

buffer_ring::~buffer_ring() {
    io_uring_unregister_buf_ring(&ring_, group_id_);
    munmap(ring_mem_, ring_bytes_);
}

void buffer_ring::recycle(uint16_t buffer_id) {
    io_uring_buf_ring_add(ring_mem_, buffers_ + size_t(buffer_id) * buffer_size_, buffer_size_,
                          buffer_id, io_uring_buf_ring_mask(count_), 0);
    // io_uring_buf_ring_advance publishes the tail with a release store.
    io_uring_buf_ring_advance(ring_mem_, 1);
}

}  // namespace ringhttpd::io
