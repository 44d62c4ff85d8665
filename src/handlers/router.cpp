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
        if (req.method != "GET" && req.method != "HEAD") return c;
        if (auto v = req.header("If-Match")) c.if_match.emplace(*v);
        if (auto v = req.header("If-None-Match")) c.if_none_match.emplace(*v);
        return c;
    }
    response apply(response res) const {
        if (!if_match && !if_none_match) return res;
        return handlers::apply_etag_preconditions(std::move(res), if_match, if_none_match);
    }
};

route_result run_handler(const staged_handler& fn, const request& req, etag_conditions conditions) {
    route_result result = guarded(req.method, req.path, [&] { return fn(req); });
    if (auto* work = std::get_if<blocking_work>(&result)) {
        // The request is gone when the work runs: keep what the log line and the conditions
        // need.
        return blocking_work([work = std::move(*work), method = req.method, path = req.path,
                              conditions = std::move(conditions)] {
            return conditions.apply(guarded(method, path, work));
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

response finish_here(route_result result) {
    if (auto* work = std::get_if<blocking_work>(&result)) return (*work)();
    return std::move(std::get<response>(result));
}

void router::add(std::string_view method, std::string_view pattern, handler h, runs_on where) {
    auto shared = std::make_shared<const handler>(std::move(h));
    staged_handler fn;
    if (where == runs_on::ring) {
        fn = [shared](const request& req) -> route_result { return (*shared)(req); };
    } else {
        fn = [shared](const request& req) -> route_result {
            return blocking_work([shared, req] { return (*shared)(req); });
        };
    }
    routes_.push_back({std::string(method), split_segments(pattern), std::move(fn)});
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
    for (const route& r : routes_) append_allowed(allow, r.method);
    append_allowed(allow, "OPTIONS");
    return allow;
}

route_result router::dispatch(request& req) const {
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
        if (r.method == req.method || (r.method == "GET" && req.method == "HEAD"))
            return run_handler(r.fn, req, etag_conditions::of(req));
        append_allowed(allow, r.method);
        if (r.method == "GET") append_allowed(allow, "HEAD");
    }
    req.params.clear();
    if (!allow.empty()) {
        response res = response::error(405);
        res.headers.emplace_back("Allow", allow);
        return res;
    }
    if (!fallback_) return response::error(404);
    if (req.method != "GET" && req.method != "HEAD") {
        response res = response::error(405);
        res.headers.emplace_back("Allow", "GET, HEAD");
        return res;
    }
    return run_handler(fallback_, req, {});
}

}  // namespace ringhttpd
