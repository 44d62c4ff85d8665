#include "app/debug.hpp"

#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace ringhttpd::app {
namespace {

constexpr uint64_t max_debug_ms = 10'000;

// How many delay, spin and hold jobs the workers are running now: what /debug/running reports,
// so a test can see that a worker has taken its job instead of guessing from the time.
std::atomic<int> running_jobs{0};

struct counted_as_running {
    counted_as_running() { running_jobs.fetch_add(1); }
    ~counted_as_running() { running_jobs.fetch_sub(1); }
    counted_as_running(const counted_as_running&) = delete;
    counted_as_running& operator=(const counted_as_running&) = delete;
};

// Holds wait here for /debug/release. Process-wide, like the pool they run on.
std::mutex hold_mutex;
std::condition_variable_any hold_released;
uint64_t releases = 0;  // how many times /debug/release has been called
int holding = 0;        // holds waiting for the next release

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
    counted_as_running counted;
    // Cut short when the server stops at once (SIGTERM), so a sleeping worker never holds up
    // the exit.
    if (!sleep_unless_stopped(ctx, std::chrono::milliseconds(*ms))) return response::error(503);
    return response::text(200, "slept " + std::to_string(*ms) + " ms\n");
}

response spin(const request& req, const context& ctx) {
    auto ms = milliseconds_param(req);
    if (!ms) return bad_ms();
    counted_as_running counted;
    using clock = std::chrono::steady_clock;
    const auto until = clock::now() + std::chrono::milliseconds(*ms);
    uint64_t rounds = 0;
    while (clock::now() < until && !ctx.stop.stop_requested()) ++rounds;
    return response::text(
        200, "spun " + std::to_string(*ms) + " ms (" + std::to_string(rounds) + " rounds)\n");
}

response hold(const request&, const context& ctx) {
    std::unique_lock lock(hold_mutex);
    // Counted under the lock: a release that follows a report of this job releases it.
    counted_as_running counted;
    const uint64_t seen = releases;
    ++holding;
    // Also woken by a stop (SIGTERM): then the worker goes at once.
    if (!hold_released.wait(lock, ctx.stop, [&] { return releases != seen; })) {
        --holding;
        return response::error(503);
    }
    return response::text(200, "released\n");
}

response release(const request&) {
    int released = 0;
    {
        std::lock_guard lock(hold_mutex);
        ++releases;
        released = holding;
        holding = 0;
    }
    hold_released.notify_all();
    return response::text(200, "released " + std::to_string(released) + "\n");
}

response running(const request&) {
    return response::text(200, std::to_string(running_jobs.load()) + "\n");
}

response tiny(const request&) {
    return response::text(200, "ok\n");
}

}  // namespace

void add_debug_routes(router& routes) {
    routes.add("GET", "/debug/delay", delay, runs_on::worker_pool);
    routes.add("GET", "/debug/spin", spin, runs_on::worker_pool);
    routes.add("GET", "/debug/hold", hold, runs_on::worker_pool);
    routes.add("GET", "/debug/release", release, runs_on::ring);
    routes.add("GET", "/debug/running", running, runs_on::ring);
    routes.add("GET", "/debug/inline", tiny, runs_on::ring);
    routes.add("GET", "/debug/pooled", tiny, runs_on::worker_pool);
}

}  // namespace ringhttpd::app
