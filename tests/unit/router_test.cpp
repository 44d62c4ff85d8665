#include "ringhttpd/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace ringhttpd;

namespace {

request make(std::string method, std::string path) {
    request r;
    r.method = std::move(method);
    r.path = std::move(path);
    return r;
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
    EXPECT_EQ(finish_here(routes.dispatch(req)).body, "hello");
}

TEST(router, fills_decoded_parameters) {
    auto routes = sample();
    auto req = make("GET", "/hello/a%20b%2Fc");
    auto res = finish_here(routes.dispatch(req));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "a b/c");
    req = make("GET", "/users/7/posts/42");
    EXPECT_EQ(finish_here(routes.dispatch(req)).body, "7:42");
}

TEST(router, get_routes_answer_head) {
    auto routes = sample();
    auto req = make("HEAD", "/api/hello");
    EXPECT_EQ(finish_here(routes.dispatch(req)).status, 200);
}

TEST(router, unmatched_is_404_and_empty_parameters_do_not_match) {
    auto routes = sample();
    for (const char* path : {"/nope", "/hello/", "/hello", "/api/hello/extra", "/users/1/posts"}) {
        auto req = make("GET", path);
        EXPECT_EQ(finish_here(routes.dispatch(req)).status, 404) << path;
    }
}

TEST(router, wrong_method_is_405_with_allow) {
    auto routes = sample();
    auto req = make("DELETE", "/api/hello");
    auto res = finish_here(routes.dispatch(req));
    EXPECT_EQ(res.status, 405);
    ASSERT_EQ(res.headers.size(), 1u);
    EXPECT_EQ(res.headers[0].first, "Allow");
    EXPECT_EQ(res.headers[0].second, "GET, HEAD");
}

TEST(router, a_throwing_handler_is_a_500) {
    auto routes = sample();
    auto req = make("GET", "/boom");
    EXPECT_EQ(finish_here(routes.dispatch(req)).status, 500);
}

TEST(router, malformed_escapes_are_400) {
    auto routes = sample();
    auto req = make("GET", "/hello/%zz");
    EXPECT_EQ(finish_here(routes.dispatch(req)).status, 400);
}

TEST(router, the_fallback_serves_get_and_head_only) {
    auto routes = sample();
    routes.set_fallback([](const request&) { return response::text(200, "file"); });
    auto req = make("GET", "/some/file.txt");
    EXPECT_EQ(finish_here(routes.dispatch(req)).body, "file");
    req = make("POST", "/some/file.txt");
    auto res = finish_here(routes.dispatch(req));
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
        route_result result = routes.dispatch(req);
        ASSERT_TRUE(std::holds_alternative<blocking_work>(result));
        work = std::get<blocking_work>(std::move(result));
    }  // the request is gone before the work runs, as on the pool
    EXPECT_EQ(work().body, "7");

    request boom = make("GET", "/slow-boom");
    EXPECT_EQ(finish_here(routes.dispatch(boom)).status, 500);  // thrown on the pool: a 500
}
