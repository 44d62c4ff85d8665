// Requests split or batched arbitrarily on the wire: pipelining, byte-at-a-time, split bodies.

#include <gtest/gtest.h>

#include <thread>

#include "harness.hpp"

using namespace e2e;

TEST(pipelining, three_requests_in_one_write_are_answered_in_order) {
    server_process server;
    client c(server.port());
    c.send(get("/hello/one") + get("/api/hello?name=two") + get("/hello/three"));
    auto a = c.read_response(), b = c.read_response(), d = c.read_response();
    ASSERT_TRUE(a && b && d);
    EXPECT_EQ(a->body, "Hello, one");
    EXPECT_EQ(b->body, R"({"message":"Hello, two!"})");
    EXPECT_EQ(d->body, "Hello, three");
}

TEST(pipelining, many_pipelined_requests_for_a_large_file_stay_in_order) {
    temp_dir root;
    std::string big(300 * 1024, 'x');
    for (size_t i = 0; i < big.size(); i += 97) big[i] = char('a' + i % 26);
    root.write("big.txt", big);
    root.write("small.txt", "small");
    server_process server({}, root.path());
    client c(server.port());
    std::string batch;
    for (int i = 0; i < 8; ++i) batch += get(i % 2 ? "/small.txt" : "/big.txt");
    c.send(batch);
    for (int i = 0; i < 8; ++i) {
        auto res = c.read_response();
        ASSERT_TRUE(res) << i;
        EXPECT_EQ(res->body, i % 2 ? "small" : big) << i;
    }
}

TEST(pipelining, a_request_sent_one_byte_per_write_is_answered) {
    server_process server;
    client c(server.port());
    std::string req = "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n\"bytes\"";
    // The pauses make the server read the request a byte at a time (or a few: any split works).
    for (char ch : req) {
        c.send(std::string(1, ch));
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    auto res = c.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, R"({"echo":"bytes"})");
}

TEST(pipelining, a_body_split_across_many_writes_arrives_whole) {
    server_process server;
    client c(server.port());
    std::string body = "[";
    for (int i = 0; i < 2000; ++i) body += std::to_string(i) + (i < 1999 ? "," : "]");
    c.send(
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n");
    // The pauses split the body across the server's reads (however they turn out, it must
    // arrive whole).
    for (size_t i = 0; i < body.size(); i += 333) {
        c.send(body.substr(i, 333));
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    auto res = c.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "{\"echo\":" + body + "}");
}

TEST(pipelining, chunked_request_bodies_are_decoded) {
    server_process server;
    client c(server.port());
    c.send("POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    c.send("4\r\n{\"a\"\r\n");
    c.send("3\r\n:1}\r\n0\r\n\r\n");
    auto res = c.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, R"({"echo":{"a":1}})");
}

TEST(pipelining, expect_100_continue_gets_the_go_ahead_before_the_body) {
    server_process server;
    client c(server.port());
    c.send(
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    auto interim = c.read_response();
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->status, 100);
    c.send("true");
    auto res = c.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, R"({"echo":true})");
}

TEST(pipelining, expect_100_continue_with_a_body_too_large_gets_413_without_continue) {
    server_process server;
    client c(server.port());
    auto res = c.roundtrip(
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\nExpect: "
        "100-continue\r\n\r\n");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 413);
    EXPECT_TRUE(c.closed_by_peer());
}
