#include "app/debug.hpp"

#include <charconv>
#include <chrono>
#include <optional>
#include <string>

namespace ringhttpd::app {
namespace {

constexpr uint64_t max_debug_ms = 10'000;

// The ?ms= parameter, or nullopt when it is missing, not a number or above the cap.
std::optional<uint64_t> milliseconds_param(const request& req) {
    auto text = req.query_param("ms");
    if (!text) return std::nullopt;
    uint64_t ms = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), ms);
    if (ec != std::errc{} || end != text->data() + text->size() || ms > max_debug_ms)
        return std::nullopt;
    return ms;
}

response bad_ms() {
    return response::text(400, "ms must be a whole number of milliseconds, at most " +
                                   std::to_string(max_debug_ms) + "\n");
}

response delay(const request& req, const context& ctx) {
    auto ms = milliseconds_param(req);
    if (!ms) return bad_ms();
    // Cut short when the server stops at once (SIGTERM), so a sleeping worker never holds up
    // the exit.
    if (!sleep_unless_stopped(ctx, std::chrono::milliseconds(*ms))) return response::error(503);
    return response::text(200, "slept " + std::to_string(*ms) + " ms\n");
}

response spin(const request& req, const context& ctx) {
    auto ms = milliseconds_param(req);
    if (!ms) return bad_ms();
    using clock = std::chrono::steady_clock;
    const auto until = clock::now() + std::chrono::milliseconds(*ms);
    uint64_t rounds = 0;
    while (clock::now() < until && !ctx.stop.stop_requested()) ++rounds;
    return response::text(
        200, "spun " + std::to_string(*ms) + " ms (" + std::to_string(rounds) + " rounds)\n");
}

response tiny(const request&) {
    return response::text(200, "ok\n");
}

}  // namespace

void add_debug_routes(router& routes) {
    routes.add("GET", "/debug/delay", delay, runs_on::worker_pool);
    routes.add("GET", "/debug/spin", spin, runs_on::worker_pool);
    routes.add("GET", "/debug/inline", tiny, runs_on::ring);
    routes.add("GET", "/debug/pooled", tiny, runs_on::worker_pool);
}

}  // namespace ringhttpd::app
