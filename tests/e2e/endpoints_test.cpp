// The built-in endpoints as a client sees them, and routing answers (404, 405 + Allow).

#include <gtest/gtest.h>

#include <regex>

#include "harness.hpp"

using namespace e2e;

namespace {
std::string post(const std::string& path, const std::string& body) {
    return "POST " + path +
           " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
           body;
}
}  // namespace

class endpoints : public ::testing::Test {
  protected:
    server_process server;
    std::optional<http_response> fetch(const std::string& raw) {
        client c(server.port());
        return c.roundtrip(raw);
    }
};

TEST_F(endpoints, hello_defaults_to_world) {
    auto res = fetch(get("/api/hello"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->header("content-type"), "application/json");
    EXPECT_EQ(res->body, R"({"message":"Hello, World!"})");
}

TEST_F(endpoints, hello_percent_decodes_the_name) {
    auto res = fetch(get("/api/hello?name=J%C3%B6rg+M%C3%BCller"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "{\"message\":\"Hello, J\xC3\xB6rg M\xC3\xBCller!\"}");
}

TEST_F(endpoints, hello_escapes_json_in_the_name) {
    auto res = fetch(get("/api/hello?name=%22%5C%0A"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, R"({"message":"Hello, \"\\\n!"})");
}

TEST_F(endpoints, time_is_iso8601_with_a_timezone) {
    auto res = fetch(get("/api/time"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_TRUE(std::regex_match(
        res->body,
        std::regex(R"(\{"time":"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}"\})")))
        << res->body;
}

TEST_F(endpoints, echo_returns_json_bodies_as_json) {
    auto res = fetch(post("/api/echo", R"({"a": [1, 2, {"b": null}]})"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, R"({"echo":{"a":[1,2,{"b":null}]}})");
}

TEST_F(endpoints, echo_returns_other_bodies_as_an_escaped_string) {
    auto res = fetch(post("/api/echo", "not json \"quoted\" \x01 \xff"));
    ASSERT_TRUE(res);
    // Control characters are escaped and invalid UTF-8 is replaced: the output is valid JSON.
    EXPECT_EQ(res->body, "{\"echo\":\"not json \\\"quoted\\\" \\u0001 \xEF\xBF\xBD\"}");
}

TEST_F(endpoints, echo_of_an_empty_body_is_an_empty_string) {
    auto res = fetch(post("/api/echo", ""));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, R"({"echo":""})");
}

TEST_F(endpoints, echo_of_deeply_nested_json_is_answered_as_a_string) {
    std::string deep(100000, '[');
    auto res = fetch(post("/api/echo", deep));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "{\"echo\":\"" + deep + "\"}");
}

TEST_F(endpoints, hello_name_is_plain_text_and_decoded) {
    auto res = fetch(get("/hello/Ada%20Lovelace"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->header("content-type"), "text/plain; charset=utf-8");
    EXPECT_EQ(res->body, "Hello, Ada Lovelace");
}

TEST_F(endpoints, wrong_method_on_a_route_is_405_with_allow) {
    auto res = fetch(get("/api/echo"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 405);
    EXPECT_EQ(res->header("allow"), "POST");
    res = fetch(post("/api/hello", "x"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 405);
    EXPECT_EQ(res->header("allow"), "GET, HEAD");
}

TEST_F(endpoints, wrong_method_on_a_static_path_is_405) {
    auto res = fetch("DELETE /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 405);
    EXPECT_EQ(res->header("allow"), "GET, HEAD");
}

TEST_F(endpoints, unknown_paths_are_404) {
    for (const char* path : {"/nope", "/api/nope", "/hello/", "/hello/a/b"}) {
        auto res = fetch(get(path));
        ASSERT_TRUE(res) << path;
        EXPECT_EQ(res->status, 404) << path;
    }
}
