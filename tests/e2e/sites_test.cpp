// Several sites in one server, chosen by Host, and locations inside them, from a config file.

#include <gtest/gtest.h>

#include "harness.hpp"

using namespace e2e;

namespace {

std::string request_for(const std::string& host, const std::string& path) {
    return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
}

class sites : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_.write("example/index.html", "example site\n");
        dir_.write("wild/index.html", "wildcard site\n");
        dir_.write("assets/app.js", "console.log(1)\n");
        dir_.write("ringhttpd.toml", R"(
add_header = { "X-Site" = "default" }

[[location]]
path = "= /health"
return = "200 healthy"

[[site]]
server_name = ["example.com", "www.example.com"]
root = ")" + dir_.path() + R"(/example"
add_header = { "X-Site" = "example" }

  [[site.location]]
  path = "/assets/"
  alias = ")" + dir_.path() + R"(/assets/"
  expires = "1h"

  [[site.location]]
  path = "/old/"
  return = "301 https://example.com/new$uri?$args"

  [[site.location]]
  path = "= /gone"
  return = 410

[[site]]
server_name = "*.example.org"
root = ")" + dir_.path() + R"(/wild"
)");
        server_ = std::make_unique<server_process>(
            std::vector<std::string>{"-c", dir_.path() + "/ringhttpd.toml"});
    }

    std::optional<http_response> fetch(const std::string& host, const std::string& path) {
        client c(server_->port());
        return c.roundtrip(request_for(host, path));
    }

    temp_dir dir_;
    std::unique_ptr<server_process> server_;
};

}  // namespace

TEST_F(sites, the_host_header_chooses_the_site) {
    auto example = fetch("example.com", "/");
    ASSERT_TRUE(example);
    EXPECT_EQ(example->body, "example site\n");
    EXPECT_EQ(example->header("x-site"), "example");
    EXPECT_EQ(fetch("WWW.EXAMPLE.COM:8080", "/")->body, "example site\n");
    EXPECT_EQ(fetch("a.example.org", "/")->body, "wildcard site\n");
    EXPECT_EQ(fetch("a.b.example.org", "/")->body, "wildcard site\n");
    auto other = fetch("example.net", "/index.html");  // the default site: the harness's root
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 200);
    EXPECT_EQ(other->header("x-site"), "default");
    EXPECT_NE(other->body, "example site\n");
}

TEST_F(sites, locations_match_exactly_or_by_the_longest_prefix) {
    auto asset = fetch("example.com", "/assets/app.js");  // alias: from the assets directory
    ASSERT_TRUE(asset);
    EXPECT_EQ(asset->status, 200);
    EXPECT_EQ(asset->body, "console.log(1)\n");
    EXPECT_EQ(asset->header("cache-control"), "max-age=3600");
    EXPECT_EQ(asset->header("x-site"), "example");  // the site's headers, inherited
    EXPECT_EQ(fetch("example.com", "/assets/missing.js")->status, 404);
    EXPECT_EQ(fetch("example.com", "/assets/../index.html")->status, 400);  // no climbing out
    EXPECT_EQ(fetch("example.com", "/gone")->status, 410);
    EXPECT_EQ(fetch("example.com", "/gone/")->status, 404);  // exact means exact
    auto health = fetch("anything.test", "/health");         // a location of the default site
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    EXPECT_EQ(health->body, "healthy\n");
    EXPECT_EQ(fetch("example.com", "/health")->status, 404);  // not a location of example.com
}

TEST_F(sites, return_redirects_with_the_requests_path_and_query) {
    auto moved = fetch("example.com", "/old/page?id=7");
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->status, 301);
    EXPECT_EQ(moved->header("location"), "https://example.com/new/old/page?id=7");
}

namespace {

// Limits and built-in handlers set per site and location.
class site_limits : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_.write("example/docs/default.html", "docs index\n");
        dir_.write("ringhttpd.toml", R"(
[[location]]
path = "/api/"
handler = "api"
client_max_body_size = 16

[[location]]
path = "/tiny/"
client_max_body_size = 4
return = "200 tiny"

[[location]]
path = "/limited/"
limit_req = "1r/m"
return = "200 limited"

[[site]]
server_name = "example.com"
root = ")" + dir_.path() + R"(/example"
index = ["index.html", "default.html"]
)");
        server_ = std::make_unique<server_process>(
            std::vector<std::string>{"-c", dir_.path() + "/ringhttpd.toml"});
    }

    std::optional<http_response> send(const std::string& request) {
        client c(server_->port());
        return c.roundtrip(request);
    }
    std::optional<http_response> post(const std::string& path, const std::string& body) {
        return send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body);
    }

    temp_dir dir_;
    std::unique_ptr<server_process> server_;
};

}  // namespace

TEST_F(site_limits, a_locations_body_limit_refuses_what_another_location_accepts) {
    const std::string body = "{\"n\":12345}";  // 11 bytes
    auto echoed = post("/api/echo", body);
    ASSERT_TRUE(echoed);
    EXPECT_EQ(echoed->status, 200);
    EXPECT_EQ(echoed->body, "{\"echo\":{\"n\":12345}}");
    auto refused = post("/tiny/x", body);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 413);
    EXPECT_EQ(post("/api/echo", std::string(17, 'x'))->status, 413);  // over its own 16 bytes
    // A chunked body is counted as it arrives.
    auto chunked = send(
        "POST /tiny/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n");
    ASSERT_TRUE(chunked);
    EXPECT_EQ(chunked->status, 413);
    EXPECT_EQ(post("/tiny/x", "abcd")->body, "tiny\n");  // at the limit: answered
}

TEST_F(site_limits, a_locations_rate_limit_refuses_only_its_own_requests) {
    EXPECT_EQ(send(get("/limited/a"))->status, 200);
    auto refused = send(get("/limited/b"));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 429);
    EXPECT_FALSE(refused->header("retry-after").empty());
    for (int i = 0; i < 5; ++i) EXPECT_EQ(send(get("/api/hello"))->status, 200);
    EXPECT_EQ(send(get("/tiny/"))->status, 200);
}

TEST_F(site_limits, built_in_handlers_answer_only_where_attached) {
    auto hello = send(get("/api/hello?name=loc"));
    ASSERT_TRUE(hello);
    EXPECT_EQ(hello->status, 200);
    EXPECT_EQ(hello->body, "{\"message\":\"Hello, loc!\"}");
    EXPECT_EQ(send(get("/api/nothing"))->status, 404);
    // Not attached there: neither another path of the API, nor the API on another site.
    EXPECT_EQ(send(get("/hello/you"))->status, 404);
    EXPECT_EQ(send(request_for("example.com", "/api/hello"))->status, 404);
}

TEST_F(site_limits, index_files_are_tried_in_order) {
    auto docs = send(request_for("example.com", "/docs/"));
    ASSERT_TRUE(docs);
    EXPECT_EQ(docs->status, 200);
    EXPECT_EQ(docs->body, "docs index\n");
}
