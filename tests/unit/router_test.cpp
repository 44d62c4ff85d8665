#include "ringhttpd/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace ringhttpd;

namespace {

request make(std::string_view method, std::string path) {
    request r;
    r.method = method_from_name(method);
    r.method_name = method_name(r.method);
    r.path = std::move(path);
    return r;
}

// The context of ring 3, as a server would give it.
ring_storage storage;
const context ring_ctx{3, &storage, {}};

response run(const router& routes, request& req) {
    return finish_here(routes.dispatch(req, ring_ctx), ring_ctx);
}

router sample() {
    router routes;
    routes.add("GET", "/api/hello", [](const request&) { return response::text(200, "hello"); });
    routes.add("POST", "/api/echo", [](const request& r) { return response::text(200, r.body); });
    routes.add("GET", "/hello/{name}", [](const request& r) {
        return response::text(200, std::string(r.param("name").value_or("?")));
    });
    routes.add("GET", "/users/{id}/posts/{post}", [](const request& r) {
        return response::text(200,
                              std::string(*r.param("id")) + ":" + std::string(*r.param("post")));
    });
    routes.add("GET", "/boom",
               [](const request&) -> response { throw std::runtime_error("boom"); });
    return routes;
}

}  // namespace

TEST(router, matches_exact_paths) {
    auto routes = sample();
    auto req = make("GET", "/api/hello");
    EXPECT_EQ(run(routes, req).body_text(), "hello");
}

TEST(router, matches_paths_deeper_than_the_segments_it_keeps_inline) {
    // Eight segments are split without allocating; the ninth and later go to the heap, in order.
    router routes;
    routes.add("GET", "/1/2/3/4/5/6/7/8/{ninth}/10", [](const request& r) {
        return response::text(200, std::string(*r.param("ninth")));
    });
    auto req = make("GET", "/1/2/3/4/5/6/7/8/nine/10");
    EXPECT_EQ(run(routes, req).body_text(), "nine");
    req = make("GET", "/1/2/3/4/5/6/7/8/nine/11");
    EXPECT_EQ(run(routes, req).status, 404);
    req = make("GET", "/1/2/3/4/5/6/7/8");
    EXPECT_EQ(run(routes, req).status, 404);
}

TEST(router, fills_decoded_parameters) {
    auto routes = sample();
    auto req = make("GET", "/hello/a%20b%2Fc");
    auto res = run(routes, req);
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body_text(), "a b/c");
    req = make("GET", "/users/7/posts/42");
    EXPECT_EQ(run(routes, req).body_text(), "7:42");
}

TEST(router, get_routes_answer_head) {
    auto routes = sample();
    auto req = make("HEAD", "/api/hello");
    EXPECT_EQ(run(routes, req).status, 200);
}

TEST(router, unmatched_is_404_and_empty_parameters_do_not_match) {
    auto routes = sample();
    for (const char* path : {"/nope", "/hello/", "/hello", "/api/hello/extra", "/users/1/posts"}) {
        auto req = make("GET", path);
        EXPECT_EQ(run(routes, req).status, 404) << path;
    }
}

TEST(router, wrong_method_is_405_with_allow) {
    auto routes = sample();
    auto req = make("DELETE", "/api/hello");
    auto res = run(routes, req);
    EXPECT_EQ(res.status, 405);
    ASSERT_EQ(res.headers.size(), 1u);
    EXPECT_EQ(res.headers[0].first, "Allow");
    EXPECT_EQ(res.headers[0].second, "GET, HEAD");
}

TEST(router, a_throwing_handler_is_a_500) {
    auto routes = sample();
    auto req = make("GET", "/boom");
    EXPECT_EQ(run(routes, req).status, 500);
}

TEST(router, malformed_escapes_are_400) {
    auto routes = sample();
    auto req = make("GET", "/hello/%zz");
    EXPECT_EQ(run(routes, req).status, 400);
}

TEST(router, the_fallback_serves_get_and_head_only) {
    auto routes = sample();
    routes.set_fallback([](const request&, const context&) { return response::text(200, "file"); });
    auto req = make("GET", "/some/file.txt");
    EXPECT_EQ(run(routes, req).body_text(), "file");
    req = make("POST", "/some/file.txt");
    auto res = run(routes, req);
    EXPECT_EQ(res.status, 405);
    EXPECT_EQ(res.headers.at(0).second, "GET, HEAD");
}

TEST(router, pool_routes_hand_back_work_that_owns_its_request) {
    router routes;
    routes.add(
        "GET", "/slow/{id}",
        [](const request& r) { return response::text(200, std::string(*r.param("id"))); },
        runs_on::worker_pool);
    routes.add(
        "GET", "/slow-boom", [](const request&) -> response { throw std::runtime_error("x"); },
        runs_on::worker_pool);
    blocking_work work;
    {
        request req = make("GET", "/slow/7");
        route_result result = routes.dispatch(req, ring_ctx);
        ASSERT_TRUE(std::holds_alternative<blocking_work>(result));
        work = std::get<blocking_work>(std::move(result));
    }  // the request is gone before the work runs, as on the pool
    EXPECT_EQ(work(ring_ctx).body_text(), "7");

    request boom = make("GET", "/slow-boom");
    EXPECT_EQ(run(routes, boom).status, 500);  // thrown on the pool: a 500
}

TEST(router, handlers_get_their_ring_context) {
    router routes;
    routes.add(http_method::get, "/ring", [](const request&, const context& ctx) {
        int& hits = ctx.storage->get<int>(&ctx, [] { return std::make_shared<int>(0); });
        return response::text(200, std::to_string(ctx.ring) + "/" + std::to_string(++hits));
    });
    auto req = make("GET", "/ring");
    EXPECT_EQ(run(routes, req).body_text(), "3/1");
    EXPECT_EQ(run(routes, req).body_text(), "3/2");  // the same per-ring object
}

TEST(router, methods_without_an_enum_value_match_by_name) {
    router routes;
    routes.add("PROPFIND", "/dav", [](const request&) { return response::text(207, "props"); });
    request req = make("PROPFIND", "/dav");
    req.method_name = "PROPFIND";
    EXPECT_EQ(run(routes, req).status, 207);
    request other = make("MKCOL", "/dav");
    other.method_name = "MKCOL";
    auto res = run(routes, other);
    EXPECT_EQ(res.status, 405);
    EXPECT_EQ(res.headers.at(0).second, "PROPFIND");
}

TEST(router, options_asterisk_lists_every_method) {
    auto routes = sample();
    request req = make("OPTIONS", "*");
    auto res = run(routes, req);
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.headers.at(0).second, "GET, HEAD, POST, OPTIONS");
}

TEST(router, a_listeners_routes_answer_its_requests_alone) {
    auto routes = sample();
    router monitoring;
    monitoring.add("GET", "/metrics", [](const request&) { return response::text(200, "m"); });
    routes.set_listener_routes("127.0.0.1:9145", std::move(monitoring));
    auto req = make("GET", "/metrics");
    req.listener = "127.0.0.1:9145";
    EXPECT_EQ(run(routes, req).body_text(), "m");
    req = make("GET", "/api/hello");  // a public route, asked on the monitoring listener
    req.listener = "127.0.0.1:9145";
    EXPECT_EQ(run(routes, req).status, 404);
    req = make("GET", "/metrics");  // and the monitoring route on a public one
    req.listener = "0.0.0.0:8080";
    EXPECT_EQ(run(routes, req).status, 404);
    req = make("GET", "/api/hello");
    req.listener = "0.0.0.0:8080";
    EXPECT_EQ(run(routes, req).body_text(), "hello");
}
