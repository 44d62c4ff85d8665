// Keep-alive, framing and the headers every response carries, against the real server.

#include <gtest/gtest.h>

#include <regex>

#include "harness.hpp"

using namespace e2e;

TEST(http_basics, index_is_served_byte_exact_with_date_and_server_headers) {
    server_process server;
    client c(server.port());
    auto res = c.roundtrip(get("/"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, read_file(std::string(RINGHTTPD_STATIC_DIR) + "/index.html"));
    EXPECT_EQ(res->header("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(res->header("server"), "ringhttpd");
    EXPECT_TRUE(std::regex_match(
        res->header("date"),
        std::regex(R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)")))
        << res->header("date");
}

TEST(http_basics, http11_keeps_the_connection_alive_across_requests) {
    server_process server;
    client c(server.port());
    for (int i = 0; i < 5; ++i) {
        auto res = c.roundtrip(get("/hello/n" + std::to_string(i)));
        ASSERT_TRUE(res) << "request " << i;
        EXPECT_EQ(res->body, "Hello, n" + std::to_string(i));
        EXPECT_FALSE(res->has_header("connection"));
    }
}

TEST(http_basics, connection_close_is_honoured) {
    server_process server;
    client c(server.port());
    auto res = c.roundtrip(get("/api/hello", "Connection: close\r\n"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->header("connection"), "close");
    EXPECT_TRUE(c.closed_by_peer());
}

TEST(http_basics, connection_close_ends_the_stream_together_with_the_answer) {
    // The server's FIN travels with the last bytes of the answer, so the server, not the client,
    // closes first and keeps the TIME_WAIT (as nginx does): a client making thousands of
    // connections a second would otherwise run out of local ports. Once the whole answer is in,
    // the end of the stream must already be there, without waiting.
    server_process server;
    for (const char* path : {"/api/hello", "/", "/hello/fin"}) {
        for (int i = 0; i < 20; ++i) {
            client c(server.port());
            auto res = c.roundtrip(get(path, "Connection: close\r\n"));
            ASSERT_TRUE(res) << path;
            EXPECT_EQ(res->header("connection"), "close");
            ASSERT_TRUE(c.closed_by_peer(std::chrono::milliseconds(0)))
                << path << ", connection " << i << ": the answer came without the end of stream";
        }
    }
}

TEST(http_basics, http10_closes_unless_keep_alive_is_asked_for) {
    server_process server;
    {
        client c(server.port());
        auto res = c.roundtrip("GET /api/hello HTTP/1.0\r\n\r\n");
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 200);
        EXPECT_EQ(res->header("connection"), "close");
        EXPECT_TRUE(c.closed_by_peer());
    }
    client c(server.port());
    for (int i = 0; i < 2; ++i) {
        auto res = c.roundtrip("GET /api/hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        ASSERT_TRUE(res);
        EXPECT_EQ(res->header("connection"), "keep-alive");
    }
}

TEST(http_basics, head_has_the_get_headers_and_no_body) {
    server_process server;
    client c(server.port());
    auto get_res = c.roundtrip(get("/"));
    c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
    auto head_res = c.read_response(/*head_request=*/true);
    ASSERT_TRUE(get_res && head_res);
    EXPECT_EQ(head_res->status, 200);
    EXPECT_EQ(head_res->header("content-length"), std::to_string(get_res->body.size()));
    EXPECT_EQ(head_res->header("content-type"), get_res->header("content-type"));
    // No body bytes follow: the next response starts right away.
    auto next = c.roundtrip(get("/hello/after-head"));
    ASSERT_TRUE(next);
    EXPECT_EQ(next->body, "Hello, after-head");
}

TEST(http_basics, head_on_a_dynamic_route_sends_no_body) {
    server_process server;
    client c(server.port());
    c.send("HEAD /api/hello HTTP/1.1\r\nHost: x\r\n\r\n");
    auto res = c.read_response(true);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->header("content-length"), "27");  // {"message":"Hello, World!"}
    auto next = c.roundtrip(get("/hello/x"));
    ASSERT_TRUE(next);
    EXPECT_EQ(next->body, "Hello, x");
}

TEST(http_basics, startup_log_names_address_threads_ring_and_allocator) {
    server_process server;
    std::string log = server.log();
    EXPECT_NE(log.find("threads=2"), std::string::npos) << log;
    EXPECT_NE(log.find("ring_flags="), std::string::npos) << log;
    EXPECT_NE(log.find("buffer_ring=1024x4096B"), std::string::npos) << log;
    EXPECT_NE(log.find("io_uring_features="), std::string::npos) << log;
#ifndef RINGHTTPD_SANITIZE_BUILD
    EXPECT_NE(log.find("allocator=mimalloc"), std::string::npos) << log;
#endif
}
