// Strict HTTP/1.1: the request shapes used for smuggling and confusion get a 4xx/5xx and a close;
// security headers are on by default.

#include <gtest/gtest.h>

#include "harness.hpp"

using namespace e2e;

namespace {

std::optional<http_response> send_raw(uint16_t port, const std::string& raw,
                                      bool* closed = nullptr) {
    client c(port);
    auto res = c.roundtrip(raw);
    if (closed) *closed = c.closed_by_peer();
    return res;
}

}  // namespace

TEST(strict_http, host_must_appear_exactly_once_in_http11) {
    server_process server;
    bool closed = false;
    auto res = send_raw(server.port(), "GET /api/hello HTTP/1.1\r\n\r\n", &closed);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    EXPECT_TRUE(closed);
    res = send_raw(server.port(), "GET /api/hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &closed);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    EXPECT_TRUE(closed);
    res = send_raw(server.port(), "GET /api/hello HTTP/1.0\r\n\r\n");  // HTTP/1.0 needs no Host
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
}

TEST(strict_http, smuggling_shapes_are_rejected_and_the_connection_closed) {
    server_process server;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"CL and TE",
         "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: "
         "chunked\r\n\r\n0\r\n\r\n"},
        {"differing CLs",
         "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: "
         "4\r\n\r\nabcd"},
        {"TE not ending in chunked",
         "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"},
        {"bad chunk size",
         "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfoo\r\n"},
        {"space before colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n"},
        {"bare LF line ends", "GET / HTTP/1.1\nHost: x\n\n"},
        {"NUL in a header", std::string("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", 36)},
        {"control byte in target", "GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n"},
    };
    for (const auto& [name, raw] : cases) {
        bool closed = false;
        auto res = send_raw(server.port(), raw, &closed);
        ASSERT_TRUE(res) << name;
        EXPECT_TRUE(res->status == 400 || res->status == 501) << name << " -> " << res->status;
        EXPECT_TRUE(closed) << name;
    }
}

TEST(strict_http, options_star_lists_the_methods) {
    server_process server;
    auto res = send_raw(server.port(), "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->header("allow"), "GET, HEAD, POST, OPTIONS");
    EXPECT_EQ(res->header("content-length"), "0");
    res = send_raw(server.port(), "GET * HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
}

TEST(strict_http, connect_and_trace_are_refused_without_echoing_the_request) {
    server_process server;
    bool closed = false;
    auto res =
        send_raw(server.port(), "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
                 &closed);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 501);
    EXPECT_TRUE(closed);
    res = send_raw(server.port(),
                   "TRACE /secret-path HTTP/1.1\r\nHost: x\r\nCookie: session=abc\r\n\r\n");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 405);
    EXPECT_EQ(res->body.find("session=abc"), std::string::npos);
    EXPECT_EQ(res->body.find("secret-path"), std::string::npos);
}

TEST(strict_http, security_headers_are_on_by_default_and_can_be_turned_off) {
    {
        server_process server;
        auto res = send_raw(server.port(), get("/"));
        ASSERT_TRUE(res);
        EXPECT_EQ(res->header("x-content-type-options"), "nosniff");
        EXPECT_EQ(res->header("x-frame-options"), "SAMEORIGIN");
        EXPECT_EQ(res->header("referrer-policy"), "strict-origin-when-cross-origin");
        EXPECT_FALSE(res->has_header("x-xss-protection"));
        EXPECT_FALSE(res->has_header("strict-transport-security"));  // no TLS here
        auto error = send_raw(server.port(), get("/missing"));
        ASSERT_TRUE(error);
        EXPECT_EQ(error->header("x-content-type-options"), "nosniff");
    }
    server_process server({"--security-headers", "off"});
    auto res = send_raw(server.port(), get("/"));
    ASSERT_TRUE(res);
    EXPECT_FALSE(res->has_header("x-content-type-options"));
    EXPECT_FALSE(res->has_header("x-frame-options"));
}

TEST(strict_http, the_version_is_in_the_server_header_only_with_server_tokens_on) {
    {
        server_process server;
        auto res = send_raw(server.port(), get("/api/hello"));
        ASSERT_TRUE(res);
        EXPECT_EQ(res->header("server"), "ringhttpd");
    }
    {
        server_process server({"--server-tokens", "on"});
        auto res = send_raw(server.port(), get("/api/hello"));
        ASSERT_TRUE(res);
        EXPECT_EQ(res->header("server"), std::string("ringhttpd/") + RINGHTTPD_VERSION_STRING);
    }
    server_process server({"--server-tokens", "off"});
    auto res = send_raw(server.port(), get("/missing"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->header("server"), "ringhttpd");
}

TEST(strict_http, folded_headers_and_unknown_transfer_codings) {
    server_process server;
    bool closed = false;
    auto res =
        send_raw(server.port(), "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", &closed);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    EXPECT_TRUE(closed);
    res = send_raw(
        server.port(),
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        &closed);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 501);
    EXPECT_TRUE(closed);
}
