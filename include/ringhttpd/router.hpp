#pragma once
// Maps (method, path) to a handler. Patterns are exact paths whose segments may be `{name}`
// parameters ("/hello/{name}"). A GET route also answers HEAD. Unmatched paths go to the fallback
// (the static file handler), which serves GET and HEAD. Built once at startup, then read-only and
// shared by all ring threads.
//
// Where handlers run: on the ring thread by default, which suits anything that never blocks.
// A route added with runs_on::worker_pool runs on the shared worker pool instead (disk I/O,
// sleeping, heavy computation), so the ring keeps serving every other connection meanwhile. The
// handler contract is the same either way.

#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ringhttpd/request.hpp"
#include "ringhttpd/response.hpp"

namespace ringhttpd {

// The handler contract: request in, response out. Handlers never see the ring or the socket.
// A handler that throws produces a 500; the connection and its thread carry on.
using handler = std::function<response(const request&)>;

enum class runs_on { ring, worker_pool };

// Work that may block, to run on the worker pool; its response is sent when it finishes. It must
// own what it uses (capture by value): the request it came from is gone by then.
using blocking_work = std::function<response()>;
// What dispatch gives the server: a response now, or work to finish on the pool.
using route_result = std::variant<response, blocking_work>;
// A handler with a fast path: it answers on the ring when it can (say, from a cache) and hands
// back blocking_work for the rest (say, opening a file).
using staged_handler = std::function<route_result(const request&)>;

// Runs the work of `result` here and now, if there is any: for callers without a worker pool.
response finish_here(route_result result);

class router {
  public:
    void add(std::string_view method, std::string_view pattern, handler h,
             runs_on where = runs_on::ring);
    void set_fallback(staged_handler h) { fallback_ = std::move(h); }

    // Picks the handler and runs it, or returns its work for the pool; answers 404, 405 (with
    // Allow) and 500 itself, also for work that throws on the pool. Fills req.params for the
    // matched route.
    route_result dispatch(request& req) const;
    // Every method some route answers, plus GET and HEAD for files and OPTIONS: the Allow
    // header for "OPTIONS *".
    std::string methods() const;

  private:
    struct route {
        std::string method;
        std::vector<std::string> segments;  // "{name}" marks a parameter
        staged_handler fn;
    };
    static bool matches(const route& r, const std::vector<std::string>& segments, request* req);

    std::vector<route> routes_;
    staged_handler fallback_;
};

}  // namespace ringhttpd
