#include "io/acceptors.hpp"

#include <algorithm>

#include "io/ring_setup.hpp"
#include "io/user_data.hpp"

namespace ringhttpd::io {

acceptors::acceptors(std::vector<listener> listeners) {
    for (listener& l : listeners) add(std::move(l));
}

void acceptors::arm(io_uring& ring) {
    for (uint32_t i = 0; i < listeners_.size(); ++i) {
        entry& e = listeners_[i];
        if (e.armed || !e.socket.fd) continue;
        io_uring_sqe* sqe = next_sqe(ring);
        // Non-blocking, so the ring thread's own sendfile and header send never wait; io_uring
        // still waits for readiness on such sockets (it polls; an -EAGAIN that escapes is
        // retried).
        io_uring_prep_multishot_accept(sqe, e.socket.fd.get(), nullptr, nullptr,
                                       SOCK_CLOEXEC | SOCK_NONBLOCK);
        io_uring_sqe_set_data64(sqe, op_tag{op_kind::accept, i}.encode());
        e.armed = true;
    }
}

void acceptors::cancel_one(io_uring& ring, uint32_t index) {
    io_uring_sqe* sqe = next_sqe(ring);
    io_uring_prep_cancel64(sqe, op_tag{op_kind::accept, index}.encode(), 0);
    io_uring_sqe_set_data64(sqe, op_tag{op_kind::ignore}.encode());
}

void acceptors::cancel(io_uring& ring) {
    for (uint32_t i = 0; i < listeners_.size(); ++i)
        if (listeners_[i].armed) cancel_one(ring, i);
}

const listener* acceptors::on_completion(uint32_t index, bool more) {
    if (index >= listeners_.size()) return nullptr;
    entry& e = listeners_[index];
    if (!more) e.armed = false;
    return &e.socket;
}

void acceptors::close_all() {
    for (entry& e : listeners_) e.socket.fd.reset();
}

void acceptors::remove(io_uring& ring, std::string_view name) {
    for (uint32_t i = 0; i < listeners_.size(); ++i) {
        entry& e = listeners_[i];
        if (e.socket.name != name || !e.socket.fd) continue;
        if (e.armed) cancel_one(ring, i);
        // The accept in flight holds the socket until the cancel ends it.
        e.socket.fd.reset();
    }
}

bool acceptors::any_armed() const {
    return std::any_of(listeners_.begin(), listeners_.end(),
                       [](const entry& e) { return e.armed; });
}

}  // namespace ringhttpd::io
