#include "ringhttpd/router.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <exception>
#include <forward_list>
#include <memory>
#include <optional>

#include "handlers/validators.hpp"
#include "http/url.hpp"

namespace ringhttpd {
namespace {

// Calls fn(segment) on each '/'-separated segment of a path that starts with '/', until one call
// returns false; says whether none did.
template <typename Fn>
bool each_segment(std::string_view path, Fn&& fn) {
    size_t pos = 1;
    while (pos <= path.size()) {
        size_t slash = path.find('/', pos);
        if (slash == std::string_view::npos) slash = path.size();
        if (!fn(path.substr(pos, slash - pos))) return false;
        pos = slash + 1;
    }
    return true;
}

std::vector<std::string> split_segments(std::string_view pattern) {
    std::vector<std::string> segments;
    each_segment(pattern, [&](std::string_view segment) {
        segments.emplace_back(segment);
        return true;
    });
    return segments;
}

// A request path's segments, each percent-decoded on its own, so that an encoded '/' stays inside
// its segment. A segment without '%' (nearly every one) is a view into the path: only the others
// are copied, into storage whose strings never move. Paths up to inline_count segments deep,
// nearly all, are split without allocating.
class path_segments {
  public:
    // False when a segment's percent-encoding is malformed.
    bool split(std::string_view path) {
        return each_segment(path, [&](std::string_view segment) {
            if (segment.find('%') != std::string_view::npos) {
                auto decoded = http::percent_decode(segment);
                if (!decoded) return false;
                segment = decoded_.emplace_front(std::move(*decoded));
            }
            push(segment);
            return true;
        });
    }
    std::span<const std::string_view> all() const {
        if (!deeper_.empty()) return deeper_;
        return {inline_.data(), count_};
    }

  private:
    static constexpr size_t inline_count = 8;

    void push(std::string_view segment) {
        if (count_ < inline_count) {
            inline_[count_++] = segment;
            return;
        }
        if (deeper_.empty()) deeper_.assign(inline_.begin(), inline_.end());
        deeper_.push_back(segment);
    }

    std::array<std::string_view, inline_count> inline_;
    size_t count_ = 0;
    std::vector<std::string_view> deeper_;  // all of them, once there are more than inline_count
    std::forward_list<std::string> decoded_;
};

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
    // In place: nearly every request has neither field, and a response is costly to move.
    void apply(response& res) const {
        if (!if_match && !if_none_match) return;
        res = handlers::apply_etag_preconditions(std::move(res), if_match, if_none_match);
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
            response res = guarded(method, path, [&] { return work(pool_ctx); });
            conditions.apply(res);
            return res;
        });
    }
    conditions.apply(std::get<response>(result));
    return result;
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

bool router::matches(const route& r, std::span<const std::string_view> segments, request* req) {
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
    path_segments segments;
    if (!segments.split(req.path)) return response::error(400);

    std::string allow;
    for (const route& r : routes_) {
        req.params.clear();
        if (!matches(r, segments.all(), &req)) continue;
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
