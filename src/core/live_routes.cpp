#include "core/live_routes.hpp"

#include <utility>

namespace ringhttpd::core {

live_routes::live_routes(router routes)
    : routes_(std::make_shared<const router>(std::move(routes))) {}

void live_routes::replace(router routes) {
    auto fresh = std::make_shared<const router>(std::move(routes));
    {
        std::lock_guard lock(mutex_);
        routes_.swap(fresh);
        generation_.fetch_add(1, std::memory_order_release);
    }
    // `fresh` now holds the old routes: rings still using them keep them alive.
}

const router& live_routes::current(ring_view& ring, const context& ctx) const {
    if (const uint64_t now = generation_.load(std::memory_order_acquire); now != ring.generation) {
        // The storage first: what the old handlers made there may point into them (a file
        // cache into its handler's memory budget), and this ring's reference may be the last.
        if (ctx.storage) ctx.storage->clear();
        std::lock_guard lock(mutex_);
        ring.routes = routes_;
        ring.generation = generation_.load(std::memory_order_relaxed);
    }
    return *ring.routes;
}

std::optional<uint64_t> live_routes::body_limit(ring_view& ring, const request& head,
                                                const context& ctx) const {
    return current(ring, ctx).body_limit(head);
}

route_result live_routes::dispatch(ring_view& ring, request& req, const context& ctx) const {
    route_result result = current(ring, ctx).dispatch(req, ctx);
    if (auto* work = std::get_if<blocking_work>(&result)) {
        // The work may outlive the ring's hold on these routes (a replacement): it holds them.
        result = blocking_work(
            [routes = ring.routes, work = std::move(*work)](const context& c) { return work(c); });
    }
    return result;
}

}  // namespace ringhttpd::core
