#include "ringhttpd/router.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <memory>
#include <optional>

#include "handlers/validators.hpp"
#include "http/url.hpp"

namespace ringhttpd {
namespace {

std::vector<std::string> split_segments(std::string_view path) {
    std::vector<std::string> segments;
    size_t pos = 1;  // paths start with '/'
    while (pos <= path.size()) {
        size_t slash = path.find('/', pos);
        if (slash == std::string_view::npos) slash = path.size();
        segments.emplace_back(path.substr(pos, slash - pos));
        pos = slash + 1;
    }
    return segments;
}

bool is_parameter(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Runs `fn`; an exception becomes a logged 500.
template <typename Fn>
auto guarded(std::string_view method, std::string_view path, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const std::exception& e) {
        spdlog::error("handler for {} {} threw: {}", method, path, e.what());
    } catch (...) {
        spdlog::error("handler for {} {} threw a non-exception", method, path);
    }
    return response::error(500);
}

// What a route's answer to GET or HEAD is checked against (handlers::apply_etag_preconditions),
// copied: the request is gone when pooled work finishes. Empty for the fallback: static files
// evaluate every precondition themselves, with the file's validators.
struct etag_conditions {
    std::optional<std::string> if_match, if_none_match;

    static etag_conditions of(const request& req) {
        etag_conditions c;
        if (req.method != http_method::get && req.method != http_method::head) return c;
        if (auto v = req.header("If-Match")) c.if_match.emplace(*v);
        if (auto v = req.header("If-None-Match")) c.if_none_match.emplace(*v);
        return c;
    }
    response apply(response res) const {
        if (!if_match && !if_none_match) return res;
        return handlers::apply_etag_preconditions(std::move(res), if_match, if_none_match);
    }
};

// `fn`: (request) -> route_result.
template <typename Fn>
route_result run_handler(Fn&& fn, const request& req, etag_conditions conditions) {
    route_result result = guarded(req.method_name, req.path, fn);
    if (auto* work = std::get_if<blocking_work>(&result)) {
        // The request is gone when the work runs: keep what the log line and the conditions
        // need.
        return blocking_work([work = std::move(*work), method = req.method_name, path = req.path,
                              conditions = std::move(conditions)](const context& pool_ctx) {
            return conditions.apply(guarded(method, path, [&] { return work(pool_ctx); }));
        });
    }
    return conditions.apply(std::move(std::get<response>(result)));
}

void append_allowed(std::string& allow, std::string_view method) {
    if (allow.find(method) != std::string::npos) return;
    if (!allow.empty()) allow += ", ";
    allow += method;
}

}  // namespace

void router::add_route(http_method method, std::string_view name, std::string_view pattern,
                       handler h, runs_on where) {
    auto shared = std::make_shared<const handler>(std::move(h));
    staged_handler fn;
    if (where == runs_on::ring) {
        fn = [shared](const request& req, const context& ctx) -> route_result {
            return (*shared)(req, ctx);
        };
    } else {
        fn = [shared](const request& req, const context&) -> route_result {
            return blocking_work(
                [shared, req](const context& pool_ctx) { return (*shared)(req, pool_ctx); });
        };
    }
    routes_.push_back({method, std::string(name), split_segments(pattern), std::move(fn)});
}

bool router::route::answers(const request& req) const {
    if (method == http_method::other) return method_name == req.method_name;
    return method == req.method || (method == http_method::get && req.method == http_method::head);
}

bool router::matches(const route& r, const std::vector<std::string>& segments, request* req) {
    if (r.segments.size() != segments.size()) return false;
    for (size_t i = 0; i < segments.size(); ++i) {
        const std::string& want = r.segments[i];
        if (is_parameter(want)) {
            if (segments[i].empty()) return false;
            req->params.emplace_back(want.substr(1, want.size() - 2), segments[i]);
        } else if (want != segments[i]) {
            return false;
        }
    }
    return true;
}

std::string router::methods() const {
    std::string allow = "GET, HEAD";
    for (const route& r : routes_) append_allowed(allow, r.method_name);
    append_allowed(allow, "OPTIONS");
    return allow;
}

route_result router::dispatch(request& req, const context& ctx) const {
    for (const auto& [address, routes] : listener_routes_)
        if (req.listener == address) return routes->dispatch(req, ctx);
    if (req.path == "*") {  // "OPTIONS *": what the server as a whole supports
        response res;
        res.headers.emplace_back("Allow", methods());
        return res;
    }
    // Segments are decoded one by one, so an encoded '/' stays inside its segment.
    std::vector<std::string> segments = split_segments(req.path);
    for (auto& seg : segments) {
        auto decoded = http::percent_decode(seg);
        if (!decoded) return response::error(400);
        seg = std::move(*decoded);
    }

    std::string allow;
    for (const route& r : routes_) {
        req.params.clear();
        if (!matches(r, segments, &req)) continue;
        if (r.answers(req))
            return run_handler([&] { return r.fn(req, ctx); }, req, etag_conditions::of(req));
        append_allowed(allow, r.method_name);
        if (r.method == http_method::get) append_allowed(allow, "HEAD");
    }
    req.params.clear();
    if (!allow.empty()) return response::not_allowed(std::move(allow));
    if (fallback_routes_)
        return run_handler([&] { return fallback_routes_->dispatch(req, ctx); }, req, {});
    if (!fallback_) return response::error(404);
    if (req.method != http_method::get && req.method != http_method::head)
        return response::not_allowed("GET, HEAD");
    return run_handler([&] { return fallback_(req, ctx); }, req, {});
}

}  // namespace ringhttpd
