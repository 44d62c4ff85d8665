#pragma once
// Maps (method, path) to a handler. Patterns are exact paths whose segments may be `{name}`
// parameters ("/hello/{name}"). A GET route also answers HEAD. Unmatched paths go to the fallback
// (usually ringhttpd::static_files), which serves GET and HEAD. Built once at startup, then
// read-only and shared by all ring threads.
//
// Where handlers run: on the ring thread by default, which suits anything that never blocks.
// A route added with runs_on::worker_pool runs on the shared worker pool instead (disk I/O,
// sleeping, heavy computation), so the ring keeps serving every other connection meanwhile. The
// handler contract is the same either way (ringhttpd/handler.hpp).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ringhttpd/handler.hpp"

namespace ringhttpd {

// What answers the requests no route takes when that is routing of its own: sites chosen by
// Host and locations by path (ringhttpd's virtual hosts), each with its own limits. Shared by
// every ring thread: read-only.
class fallback_routes {
  public:
    virtual ~fallback_routes() = default;
    // Every method comes here; `req.params` may be filled, as router::dispatch does.
    virtual route_result dispatch(request& req, const context& ctx) const = 0;
    // How large the body of a request with this head may be, asked before the body is read;
    // nullopt: the server's client_max_body_size.
    virtual std::optional<uint64_t> body_limit(const request& head) const = 0;
};

class router {
  public:
    // `fn`: (const request&) -> response, or (const request&, const context&) -> response.
    template <typename Fn>
    void add(http_method method, std::string_view pattern, Fn fn, runs_on where = runs_on::ring) {
        add_route(method, method_name(method), pattern, with_context(std::move(fn)), where);
    }
    // The same for a method given by name ("GET", or one without an enum value: "PROPFIND").
    template <typename Fn>
    void add(std::string_view method, std::string_view pattern, Fn fn,
             runs_on where = runs_on::ring) {
        add_route(method_from_name(method), method, pattern, with_context(std::move(fn)), where);
    }
    // For GET and HEAD (other methods get 405); replaces a fallback_routes.
    void set_fallback(staged_handler h) {
        fallback_ = std::move(h);
        fallback_routes_.reset();
    }
    // For every method; replaces a fallback handler.
    void set_fallback(std::shared_ptr<const fallback_routes> routes) {
        fallback_routes_ = std::move(routes);
        fallback_ = nullptr;
    }

    // Requests that arrive on the listener `address` (listen_address::text(), as
    // request::listener has it) are answered by `routes` alone: no other route or fallback of
    // this router sees them, and `routes` sees nothing else. For a monitoring listener kept apart
    // from the public ones. Costs other requests nothing while unused, one comparison when used.
    void set_listener_routes(std::string address, router routes) {
        listener_routes_.emplace_back(std::move(address),
                                      std::make_shared<const router>(std::move(routes)));
    }

    // Picks the handler and runs it, or returns its work for the pool; answers 404, 405 (with
    // Allow), "OPTIONS *" (with every method the server answers) and 500 itself, also for work
    // that throws on the pool. Fills req.params for the matched route.
    route_result dispatch(request& req, const context& ctx) const;
    // Every method some route answers, plus GET and HEAD for files and OPTIONS.
    std::string methods() const;
    // The body limit of the place a request head goes to (fallback_routes::body_limit); nullopt
    // without fallback routes. The server asks it once a head with a body is complete.
    std::optional<uint64_t> body_limit(const request& head) const {
        for (const auto& [address, routes] : listener_routes_)
            if (head.listener == address) return routes->body_limit(head);
        return fallback_routes_ ? fallback_routes_->body_limit(head) : std::nullopt;
    }

  private:
    struct route {
        http_method method;
        std::string method_name;
        std::vector<std::string> segments;  // "{name}" marks a parameter
        staged_handler fn;
        bool answers(const request& req) const;
    };
    void add_route(http_method method, std::string_view name, std::string_view pattern, handler h,
                   runs_on where);
    static bool matches(const route& r, std::span<const std::string_view> segments, request* req);

    std::vector<route> routes_;
    staged_handler fallback_;
    std::shared_ptr<const fallback_routes> fallback_routes_;
    std::vector<std::pair<std::string, std::shared_ptr<const router>>> listener_routes_;
};

}  // namespace ringhttpd
