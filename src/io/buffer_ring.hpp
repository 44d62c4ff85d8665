#pragma once
// A provided-buffer ring (IORING_REGISTER_PBUF_RING) that feeds receives on one io_uring: the
// kernel picks a free buffer per completion, so idle connections hold no receive memory.
// Owned by one reactor thread. liburing 2.3 has no io_uring_setup_buf_ring, so the ring memory is
// mmap-ed and registered by hand.

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ringhttpd::io {

class buffer_ring {
  public:
    // `count` must be a power of two (at most 32768).
    buffer_ring(io_uring& ring, uint16_t group_id, unsigned count, unsigned buffer_size);
    ~buffer_ring();
    buffer_ring(const buffer_ring&) = delete;
    buffer_ring& operator=(const buffer_ring&) = delete;

    uint16_t group_id() const { return group_id_; }
    std::string_view data(uint16_t buffer_id, size_t length) const {
        return {buffers_ + size_t(buffer_id) * buffer_size_, length};
    }
    // Hands a buffer back to the kernel once its bytes have been consumed.
    void recycle(uint16_t buffer_id);

  private:
    io_uring& ring_;
    uint16_t group_id_;
    unsigned count_;
    unsigned buffer_size_;
    size_t ring_bytes_;
    io_uring_buf_ring* ring_mem_ = nullptr;
    char* buffers_ = nullptr;
};

}  // namespace ringhttpd::io
