#include "ringhttpd/handler.hpp"

#include <condition_variable>
#include <mutex>

namespace ringhttpd {

response finish_here(route_result result, const context& ctx) {
    if (auto* work = std::get_if<blocking_work>(&result)) return (*work)(ctx);
    return std::move(std::get<response>(result));
}

bool sleep_unless_stopped(const context& ctx, std::chrono::milliseconds duration) {
    std::mutex mutex;
    std::condition_variable_any woken;
    std::unique_lock lock(mutex);
    woken.wait_for(lock, ctx.stop, duration, [] { return false; });
    return !ctx.stop.stop_requested();
}

}  // namespace ringhttpd
