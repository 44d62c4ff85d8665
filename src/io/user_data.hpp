#pragma once
// What a completion is about, packed into the 64-bit user_data of its SQE: the operation kind,
// the connection slot and the slot's generation. A completion whose generation no longer matches
// its slot belongs to a connection that is gone and is ignored.

#include <cstdint>

namespace ringhttpd::io {

enum class op_kind : uint8_t {
    ignore,
    accept,
    accept_backoff,
    recv,
    send,
    writable,
    wake,       // the eventfd read: stop, drain, or (without MSG_RING) finished work
    work_done,  // posted by a worker through MSG_RING: finished work is in the inbox
};

struct op_tag {
    op_kind kind = op_kind::ignore;
    uint32_t slot = 0;  // 24 bits are kept
    uint32_t generation = 0;

    uint64_t encode() const {
        return (uint64_t(kind) << 56) | (uint64_t(slot & 0xFFFFFF) << 32) | generation;
    }
    static op_tag decode(uint64_t v) {
        return {op_kind(v >> 56), uint32_t(v >> 32) & 0xFFFFFF, uint32_t(v)};
    }
};

}  // namespace ringhttpd::io
