#pragma once
// The router the rings answer with, replaceable while they serve (server::set_routes). Each ring
// keeps its own reference and compares a generation number per request: one read of a shared
// counter that only a replacement writes, so serving costs the same as with a fixed router.
// A request dispatched before a replacement finishes with the routes it started with, pooled
// work included: the work holds them.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "ringhttpd/router.hpp"

namespace ringhttpd::core {

class live_routes {
  public:
    explicit live_routes(router routes);

    // What one ring last took: only that ring's thread touches it.
    struct ring_view {
        std::shared_ptr<const router> routes;
        uint64_t generation = 0;
    };

    // From any thread: requests dispatched after this use `routes`.
    void replace(router routes);
    // On a ring: dispatches with the current routes, taking them first if they changed (and then
    // dropping the ring's storage, which the old handlers filled).
    route_result dispatch(ring_view& ring, request& req, const context& ctx) const;
    // On a ring: the current routes' body limit for a request head (router::body_limit).
    std::optional<uint64_t> body_limit(ring_view& ring, const request& head,
                                       const context& ctx) const;

  private:
    // The routes this ring answers with now, taken anew if they changed.
    const router& current(ring_view& ring, const context& ctx) const;

    std::atomic<uint64_t> generation_{1};
    mutable std::mutex mutex_;  // guards routes_
    std::shared_ptr<const router> routes_;
};

}  // namespace ringhttpd::core
