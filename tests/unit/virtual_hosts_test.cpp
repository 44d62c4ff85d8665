// Site selection by Host and location selection by path, without a server.

#include "handlers/virtual_hosts.hpp"

#include <gtest/gtest.h>

using namespace ringhttpd;
using namespace ringhttpd::handlers;

namespace {

place returning(int status, std::string text = "") {
    place p;
    p.return_status = status;
    p.return_text = std::move(text);
    return p;
}

site named(std::vector<std::string> names, int marker) {
    site s;
    s.names = std::move(names);
    s.action = returning(marker);
    return s;
}

int marker_of(const site& s) {
    return *s.action.return_status;
}

virtual_hosts sample() {
    std::vector<site> sites{named({"example.com", "www.example.com"}, 201),
                            named({"*.example.com"}, 202), named({"*.a.example.com"}, 203),
                            named({"[::1]"}, 204)};
    return virtual_hosts(std::move(sites), named({}, 200));
}

request request_to(std::string host, std::string path, std::string query = "") {
    request r;
    r.host = std::move(host);
    r.path = std::move(path);
    r.query = std::move(query);
    r.target = r.path + (r.query.empty() ? "" : "?" + r.query);
    return r;
}

response answer(const virtual_hosts& hosts, request req) {
    const context ctx;
    return finish_here(hosts.dispatch(req, ctx), ctx);
}

}  // namespace

TEST(virtual_hosts, exact_names_then_the_longest_wildcard_then_the_default) {
    auto hosts = sample();
    EXPECT_EQ(marker_of(hosts.site_for("example.com")), 201);
    EXPECT_EQ(marker_of(hosts.site_for("WWW.Example.COM:8080")), 201);  // case and port ignored
    EXPECT_EQ(marker_of(hosts.site_for("example.com.")), 201);          // a trailing dot too
    EXPECT_EQ(marker_of(hosts.site_for("x.example.com")), 202);
    EXPECT_EQ(marker_of(hosts.site_for("x.y.example.com")), 202);
    EXPECT_EQ(marker_of(hosts.site_for("x.a.example.com")), 203);  // the longer wildcard
    EXPECT_EQ(marker_of(hosts.site_for("[::1]:8080")), 204);
    EXPECT_EQ(marker_of(hosts.site_for("example.org")), 200);
    EXPECT_EQ(marker_of(hosts.site_for("")), 200);                // HTTP/1.0 without Host
    EXPECT_EQ(marker_of(hosts.site_for("badexample.com")), 200);  // not *.example.com
}

TEST(virtual_hosts, an_exact_location_then_the_longest_prefix_then_the_site) {
    site s = named({"example.com"}, 200);
    s.locations = {{false, "/", returning(201)},
                   {false, "/static/", returning(202)},
                   {false, "/static/img/", returning(203)},
                   {true, "/static/exact", returning(204)}};
    virtual_hosts hosts({s}, named({}, 500));
    const site& chosen = hosts.site_for("example.com");
    EXPECT_EQ(hosts.place_for(chosen, "/static/img/a.png").return_status, 203);
    EXPECT_EQ(hosts.place_for(chosen, "/static/css/a.css").return_status, 202);
    EXPECT_EQ(hosts.place_for(chosen, "/static/exact").return_status, 204);
    EXPECT_EQ(hosts.place_for(chosen, "/static/exactly").return_status, 202);
    EXPECT_EQ(hosts.place_for(chosen, "/other").return_status, 201);
}

TEST(virtual_hosts, returns_redirect_or_answer_with_variables_and_headers) {
    site s = named({"example.com"}, 200);
    s.locations = {{false, "/old/", returning(301, "https://example.com/new$uri?$args")},
                   {true, "/health", returning(200, "ok on $host")},
                   {true, "/gone", returning(410)}};
    s.locations[1].action.add_headers = {{"X-Check", "1"}};
    virtual_hosts hosts({s}, named({}, 500));
    auto moved = answer(hosts, request_to("example.com", "/old/a%20b", "x=1"));
    EXPECT_EQ(moved.status, 301);
    ASSERT_EQ(moved.headers.size(), 1u);
    EXPECT_EQ(moved.headers[0].second, "https://example.com/new/old/a%20b?x=1");

    auto health = answer(hosts, request_to("example.com", "/health"));
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body_text(), "ok on example.com\n");
    ASSERT_EQ(health.headers.size(), 1u);
    EXPECT_EQ(health.headers[0].first, "X-Check");

    EXPECT_EQ(answer(hosts, request_to("example.com", "/gone")).status, 410);
}

TEST(virtual_hosts, variables_expand_and_other_dollars_stay) {
    request r = request_to("h.example", "/p", "a=1");
    EXPECT_EQ(expand_variables("$scheme://$host$request_uri $uri $args $$", r),
              "$scheme://h.example/p?a=1 /p a=1 $$");
}

TEST(virtual_hosts, a_body_limit_is_the_innermost_places) {
    site s = named({"example.com"}, 200);
    s.action.max_body_size = 1000;
    s.locations = {{false, "/upload/", returning(201)}, {false, "/small/", returning(202)}};
    s.locations[0].action.max_body_size = 5000;
    s.locations[1].action.max_body_size = 10;
    virtual_hosts hosts({s}, named({}, 500));
    EXPECT_EQ(hosts.body_limit(request_to("example.com", "/upload/a")), 5000u);
    EXPECT_EQ(hosts.body_limit(request_to("EXAMPLE.com:80", "/small/")), 10u);
    EXPECT_EQ(hosts.body_limit(request_to("example.com", "/other")), 1000u);
    EXPECT_EQ(hosts.body_limit(request_to("example.net", "/upload/a")), std::nullopt);

    virtual_hosts none({named({"example.com"}, 200)}, named({}, 500));
    EXPECT_EQ(none.body_limit(request_to("example.com", "/")), std::nullopt);
}

TEST(virtual_hosts, a_places_rate_limit_counts_only_its_own_requests) {
    site s = named({"example.com"}, 200);
    s.locations = {{false, "/limited/", returning(201)}};
    http::client_limit_config one_per_second;
    one_per_second.rate_per_s = 1;
    s.locations[0].action.limits.requests = std::make_shared<http::client_limits>(one_per_second);
    s.locations[0].action.add_headers = {{"X-Place", "limited"}};
    virtual_hosts hosts({s}, named({}, 500));

    request from_a = request_to("example.com", "/limited/x");
    from_a.client[15] = 1;
    request from_b = from_a;
    from_b.client[15] = 2;
    EXPECT_EQ(answer(hosts, from_a).status, 201);
    const response refused = answer(hosts, from_a);
    EXPECT_EQ(refused.status, 429);
    ASSERT_EQ(refused.headers.size(), 2u);
    EXPECT_EQ(refused.headers[0], (std::pair<std::string, std::string>{"Retry-After", "1"}));
    EXPECT_EQ(refused.headers[1].first, "X-Place");  // the place's headers, as on any answer
    EXPECT_EQ(answer(hosts, from_b).status, 201);    // another client has its own bucket
    EXPECT_EQ(answer(hosts, request_to("example.com", "/other")).status, 200);  // elsewhere
}

TEST(virtual_hosts, a_places_limit_conn_counts_requests_until_their_pooled_work_is_done) {
    site s = named({"example.com"}, 200);
    s.action = place{};
    s.action.files = [](const request&, const context&) -> route_result {
        return blocking_work([](const context&) { return response::text(200, "slow"); });
    };
    http::client_limit_config one_at_a_time;
    one_at_a_time.max_connections = 1;
    s.action.limits.in_flight = std::make_shared<http::client_limits>(one_at_a_time);
    virtual_hosts hosts({s}, named({}, 500));
    const context ctx;

    request req = request_to("example.com", "/file");
    route_result first = hosts.dispatch(req, ctx);
    ASSERT_TRUE(std::holds_alternative<blocking_work>(first));
    const response refused = finish_here(hosts.dispatch(req, ctx), ctx);
    EXPECT_EQ(refused.status, 503);
    EXPECT_EQ(refused.headers.at(0).first, "Retry-After");
    // Done and gone, the work leaves its place in flight.
    EXPECT_EQ(finish_here(std::move(first), ctx).body_text(), "slow");
    EXPECT_EQ(answer(hosts, req).status, 200);
}

TEST(virtual_hosts, attached_routes_take_every_method_and_files_only_get_and_head) {
    site s = named({"example.com"}, 200);
    s.action = place{};
    s.action.files = [](const request&, const context&) -> route_result {
        return response::text(200, "file");
    };
    auto api = std::make_shared<router>();
    api->add("POST", "/api/echo/{what}", [](const request& req) {
        return response::text(200, std::string(req.param("what").value_or("")) + req.body);
    });
    s.locations = {{false, "/api/", place{}}};
    s.locations[0].action.routes = api;
    virtual_hosts hosts({s}, named({}, 500));

    request post = request_to("example.com", "/api/echo/x");
    post.method = http_method::post;
    post.method_name = "POST";
    post.body = "yz";
    EXPECT_EQ(answer(hosts, post).body_text(), "xyz");
    post.path = "/api/nothing";
    EXPECT_EQ(answer(hosts, post).status, 404);  // the attached routes' own 404
    post.path = "/file";
    const response not_allowed = answer(hosts, post);
    EXPECT_EQ(not_allowed.status, 405);
    EXPECT_EQ(not_allowed.headers.at(0).second, "GET, HEAD");
    EXPECT_EQ(answer(hosts, request_to("example.com", "/file")).body_text(), "file");
}
