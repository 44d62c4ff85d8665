#pragma once
// The handler contract: a request and its context in, a response out. Handlers never see the
// ring or the socket. A handler that throws produces a 500; the connection and its thread carry
// on.

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <type_traits>
#include <variant>
#include <vector>

#include "ringhttpd/request.hpp"
#include "ringhttpd/response.hpp"

namespace ringhttpd {

// State a handler keeps once per ring (a cache, a pool of backend connections): only that
// ring's thread touches it, so it needs no lock. Lives as long as the server.
class ring_storage {
  public:
    // The object `owner` (usually the handler object itself) keeps on this ring, made by
    // `make()` (returning a std::shared_ptr<T>) on first use. A handler has few such objects,
    // so a short scan finds them.
    template <typename T, typename Make>
    T& get(const void* owner, Make&& make) {
        return *get_shared<T>(owner, std::forward<Make>(make));
    }
    // The same object, shared: for work on the pool that uses it after the handler returned.
    template <typename T, typename Make>
    std::shared_ptr<T> get_shared(const void* owner, Make&& make) {
        for (const slot& s : slots_)
            if (s.owner == owner) return std::static_pointer_cast<T>(s.object);
        std::shared_ptr<T> made = std::forward<Make>(make)();
        slots_.push_back({owner, made});
        return made;
    }
    // Forgets every object (the server does this when it swaps its routes, whose handlers
    // owned them); work still holding one keeps it until it finishes.
    void clear() { slots_.clear(); }

  private:
    struct slot {
        const void* owner;
        std::shared_ptr<void> object;  // type-erased; its deleter is the right one
    };
    std::vector<slot> slots_;
};

// Where a handler runs.
struct context {
    unsigned ring = 0;  // the ring (thread) the request arrived on, from 0
    // That ring's storage; null in work running on the worker pool (another thread).
    ring_storage* storage = nullptr;
    // Requested when the server stops at once (SIGTERM): long work should look and give up.
    std::stop_token stop;
};

using handler = std::function<response(const request&, const context&)>;

enum class runs_on { ring, worker_pool };

// Work that may block, to run on the worker pool; its response is sent when it finishes. It must
// own what it uses (capture by value): the request it came from is gone by then.
using blocking_work = std::function<response(const context&)>;
// What a handler with a fast path gives back: a response now, or work to finish on the pool.
using route_result = std::variant<response, blocking_work>;
// A handler with a fast path: it answers on the ring when it can (say, from a cache) and hands
// back blocking_work for the rest (say, opening a file).
using staged_handler = std::function<route_result(const request&, const context&)>;

// Runs the work of `result` here and now, if there is any: for callers without a worker pool.
response finish_here(route_result result, const context& ctx);

// Sleeps `duration`, or less when the server stops at once; false then. For work on the pool:
// a sleeping worker never holds up the exit.
bool sleep_unless_stopped(const context& ctx, std::chrono::milliseconds duration);

// A handler written without the context, (const request&) -> response, made into one that
// takes it: the router accepts both.
template <typename Fn>
handler with_context(Fn fn) {
    if constexpr (std::is_invocable_r_v<response, Fn&, const request&, const context&>) {
        return handler(std::move(fn));
    } else {
        static_assert(std::is_invocable_r_v<response, Fn&, const request&>,
                      "a handler takes (const request&) or (const request&, const context&) "
                      "and returns a response");
        return [fn = std::move(fn)](const request& req, const context&) { return fn(req); };
    }
}

}  // namespace ringhttpd
