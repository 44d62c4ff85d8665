// Bad input gets a precise status, a well-formed response and a closed connection.

#include <gtest/gtest.h>

#include "harness.hpp"

using namespace e2e;

namespace {

struct bad_request_case {
    const char* name;
    std::string raw;
    int status;
};

void expect_error_and_close(uint16_t port, const bad_request_case& tc) {
    client c(port);
    auto res = c.roundtrip(tc.raw);
    ASSERT_TRUE(res) << tc.name;
    EXPECT_EQ(res->status, tc.status) << tc.name;
    EXPECT_EQ(res->header("connection"), "close") << tc.name;
    EXPECT_EQ(res->header("server"), "ringhttpd") << tc.name;
    EXPECT_EQ(res->header("content-length"), std::to_string(res->body.size())) << tc.name;
    EXPECT_TRUE(c.closed_by_peer()) << tc.name;
}

}  // namespace

TEST(errors, malformed_requests_get_400_and_close) {
    server_process server;
    const std::vector<bad_request_case> cases = {
        {"garbage", "garbage\r\n\r\n", 400},
        {"no method", " / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"method not a token", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"bad version token", "GET / HTTP/x.y\r\nHost: x\r\n\r\n", 400},
        {"space in header name", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
        {"bad content-length", "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
         400},
        {"bad chunk size",
         "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
        {"target not a path", "GET index.html HTTP/1.1\r\nHost: x\r\n\r\n", 400},
    };
    for (const auto& tc : cases) expect_error_and_close(server.port(), tc);
}

TEST(errors, body_over_client_max_body_size_is_413) {
    server_process server({"--client-max-body-size", "1k"});
    expect_error_and_close(
        server.port(), {"content-length",
                        "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n", 413});
    std::string chunked =
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) chunked += "200\r\n" + std::string(512, 'a') + "\r\n";
    expect_error_and_close(server.port(), {"chunked", chunked, 413});
    client ok(server.port());
    auto res = ok.roundtrip("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" +
                            std::string(1024, 'b'));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
}

TEST(errors, default_body_limit_is_one_mebibyte) {
    server_process server;
    expect_error_and_close(
        server.port(),
        {"1 MiB + 1", "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n",
         413});
}

TEST(errors, request_line_too_long_is_414) {
    server_process server;
    expect_error_and_close(server.port(), {"long target", get("/" + std::string(9000, 'a')), 414});
}

TEST(errors, headers_too_large_are_431) {
    server_process server;
    std::string many;
    for (int i = 0; i < 40; ++i)
        many += "X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'v') + "\r\n";
    expect_error_and_close(server.port(), {"many headers", get("/", many), 431});
    expect_error_and_close(
        server.port(),
        {"one huge header", get("/", "X-Big: " + std::string(40000, 'v') + "\r\n"), 431});
}

TEST(errors, limits_are_configurable) {
    server_process server({"--max-request-line", "100", "--max-header-size", "1k"});
    expect_error_and_close(server.port(),
                           {"target over 100", get("/" + std::string(120, 'a')), 414});
    expect_error_and_close(
        server.port(),
        {"header over 1k", get("/", "X-Big: " + std::string(1100, 'v') + "\r\n"), 431});
}

TEST(errors, unsupported_http_versions_are_505) {
    server_process server;
    client c(server.port());
    auto res = c.roundtrip("GET / HTTP/2.0\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(res);
    EXPECT_NE(res->body.find("HTTP/1.1 and HTTP/1.0"), std::string::npos);  // what would do
    for (const char* version : {"HTTP/2.0", "HTTP/3.1", "HTTP/0.9"})
        expect_error_and_close(
            server.port(), {version, std::string("GET / ") + version + "\r\nHost: x\r\n\r\n", 505});
}

TEST(errors, unknown_methods_are_501) {
    server_process server;
    for (const char* method : {"FROB", "get", "GETT", "X-CUSTOM_1"})
        expect_error_and_close(
            server.port(), {method, std::string(method) + " / HTTP/1.1\r\nHost: x\r\n\r\n", 501});
}

TEST(errors, a_400_response_never_echoes_the_request) {
    server_process server;
    client c(server.port());
    auto res = c.roundtrip("GET /<script>alert(1)</script> HTTP/1.1\r\nHost : evil\r\n\r\n");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    EXPECT_EQ(res->body.find("script"), std::string::npos);
    EXPECT_EQ(res->body.find("evil"), std::string::npos);
}

TEST(errors, the_server_keeps_serving_after_bad_clients) {
    server_process server;
    for (int i = 0; i < 50; ++i) {
        client bad(server.port());
        bad.send("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 tls hello");
    }
    client good(server.port());
    auto res = good.roundtrip(get("/api/hello"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
}
