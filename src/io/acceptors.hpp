#pragma once
// The listening sockets of one ring and their multishot accepts. A ring listens on every
// address of the server (one socket of each address's SO_REUSEPORT group, or its copy of a
// unix socket); a reload may add and remove addresses while connections keep arriving.

#include <liburing.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/stream_handler.hpp"
#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::io {

struct listener {
    unique_fd fd;
    // The address as configured ("0.0.0.0:8080"), owned by the server for its whole life:
    // connections accepted here carry it, so routes can tell their listeners apart.
    std::string_view name;
    // Null: connections accepted here get the reactor's handlers, reused from one to the next.
    // Set: each gets its own from this factory for its whole life (a TLS session wrapping the
    // protocol's handler must not pass to another connection).
    std::shared_ptr<const stream_handler_factory> factory;
};

class acceptors {
  public:
    explicit acceptors(std::vector<listener> listeners);

    // Arms a multishot accept on every open socket that has none; its completions carry
    // op_tag{op_kind::accept, index of the socket}.
    void arm(io_uring& ring);
    // Cancels every accept in flight; each then ends with a final completion (on_completion).
    void cancel(io_uring& ring);
    // A completion of socket `index`'s accept; `more`: the accept stays armed. Returns the
    // socket (its name and factory, which a connection it accepted keeps), or null for an index
    // it never had.
    const listener* on_completion(uint32_t index, bool more);
    // Closes the sockets (after cancel): the kernel stops queueing connections for this ring.
    void close_all();

    void add(listener l) { listeners_.push_back({std::move(l), false}); }
    // Cancels and closes the sockets of address `name`. Their slots stay, so a late completion
    // still finds its name (a connection accepted just before the cancel is served).
    void remove(io_uring& ring, std::string_view name);

    bool any_armed() const;  // an accept has not delivered its final completion yet

  private:
    static void cancel_one(io_uring& ring, uint32_t index);

    struct entry {
        listener socket;
        bool armed = false;
    };
    std::vector<entry> listeners_;
};

}  // namespace ringhttpd::io
