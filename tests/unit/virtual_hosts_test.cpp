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
    const context ctx;

    auto moved = finish_here(hosts.serve(request_to("example.com", "/old/a%20b", "x=1"), ctx), ctx);
    EXPECT_EQ(moved.status, 301);
    ASSERT_EQ(moved.headers.size(), 1u);
    EXPECT_EQ(moved.headers[0].second, "https://example.com/new/old/a%20b?x=1");

    auto health = finish_here(hosts.serve(request_to("example.com", "/health"), ctx), ctx);
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body_text(), "ok on example.com\n");
    ASSERT_EQ(health.headers.size(), 1u);
    EXPECT_EQ(health.headers[0].first, "X-Check");

    EXPECT_EQ(finish_here(hosts.serve(request_to("example.com", "/gone"), ctx), ctx).status, 410);
}

TEST(virtual_hosts, variables_expand_and_other_dollars_stay) {
    request r = request_to("h.example", "/p", "a=1");
    EXPECT_EQ(expand_variables("$scheme://$host$request_uri $uri $args $$", r),
              "$scheme://h.example/p?a=1 /p a=1 $$");
}
