// Every timeout, with short values, against the real server: what a slow or idle client sees.

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <thread>

#include "harness.hpp"

using namespace e2e;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

std::string big_body_root(temp_dir& root) {
    root.write("big.bin", std::string(32 * 1024 * 1024, 'b'));
    return root.path();
}

}  // namespace

TEST(timeouts, a_request_head_dribbled_too_slowly_gets_408_counted_from_its_first_byte) {
    server_process server({"--client-header-timeout", "800ms"});
    client c(server.port());
    const auto start = clock_type::now();
    std::string head = "GET /api/hello HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    c.send(head);
    // One byte every 200 ms: each read arrives well within the timeout, the whole head does not.
    std::thread dribbler([&c] {
        for (int i = 0; i < 8; ++i) {
            std::this_thread::sleep_for(200ms);  // the slow client is the point of the test
            try {
                c.send("a");
            } catch (const std::exception&) {
                return;  // the server closed the connection
            }
        }
    });
    auto res = c.read_response();
    const auto elapsed = clock_type::now() - start;
    dribbler.join();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 408);
    EXPECT_EQ(res->header("connection"), "close");
    EXPECT_GE(elapsed, 750ms);
    EXPECT_LT(elapsed, 1500ms);
}

TEST(timeouts, a_body_that_stalls_gets_408) {
    server_process server({"--client-body-timeout", "500ms"});
    client c(server.port());
    c.send("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12");
    // Reads 300 ms apart keep the body alive... (These pauses are the slow client under test. Were
    // one stretched past 500 ms on a loaded machine, the 408 would only come sooner.)
    std::this_thread::sleep_for(300ms);
    c.send("34");
    std::this_thread::sleep_for(300ms);
    c.send("56");
    // ...then it stalls.
    const auto stalled = clock_type::now();
    auto res = c.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 408);
    EXPECT_LT(clock_type::now() - stalled, 1200ms);
}

TEST(timeouts, an_idle_keep_alive_connection_is_closed_without_a_response) {
    server_process server({"--keepalive-timeout", "500ms"});
    client c(server.port());
    ASSERT_TRUE(c.roundtrip(get("/api/hello")));
    const auto start = clock_type::now();
    EXPECT_TRUE(c.closed_by_peer(3s));
    EXPECT_GE(clock_type::now() - start, 400ms);
    EXPECT_EQ(c.buffered(), "");
}

TEST(timeouts, a_connection_that_never_sends_is_closed_after_the_header_timeout) {
    server_process server({"--client-header-timeout", "500ms"});
    client c(server.port());
    const auto start = clock_type::now();
    EXPECT_TRUE(c.closed_by_peer(3s));
    EXPECT_LT(clock_type::now() - start, 1500ms);
}

TEST(timeouts, a_client_that_stops_reading_is_dropped_after_the_send_timeout) {
    temp_dir root;
    // A second: the test must see the server holding the connection before it lets go.
    server_process server({"--send-timeout", "1s"}, big_body_root(root));
    const size_t descriptors_before = open_descriptors(server.pid());
    client c(server.port());
    int small = 4096;
    setsockopt(c.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    c.send(get("/big.bin"));
    // While it sends, the server holds the socket and the file.
    ASSERT_TRUE(wait_until(
        patience, [&] { return open_descriptors(server.pid()) == descriptors_before + 2; },
        "the server holds the socket and the file"));
    // The client reads nothing: the server's send makes no progress and it lets go. (The
    // kernel still delivers what it had queued, so the client would see the end only later.)
    // The socket is closed; the file stays open in the ring's open-file cache.
    EXPECT_TRUE(wait_until(
        patience, [&] { return open_descriptors(server.pid()) == descriptors_before + 1; },
        "the server closes the socket of the client that stopped reading"));
    // The server is fine and serves others.
    client other(server.port());
    ASSERT_TRUE(other.roundtrip(get("/api/hello")));
}

TEST(timeouts, keepalive_requests_closes_after_the_last_one) {
    server_process server({"--keepalive-requests", "3"});
    client c(server.port());
    for (int i = 1; i <= 3; ++i) {
        auto res = c.roundtrip(get("/api/hello"));
        ASSERT_TRUE(res) << i;
        EXPECT_EQ(res->header("connection"), i == 3 ? "close" : "") << i;
    }
    EXPECT_TRUE(c.closed_by_peer());
}

TEST(timeouts, keepalive_timeout_zero_turns_keep_alive_off) {
    server_process server({"--keepalive-timeout", "0"});
    client c(server.port());
    auto res = c.roundtrip(get("/api/hello"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->header("connection"), "close");
    EXPECT_TRUE(c.closed_by_peer());
}

TEST(timeouts, an_error_answer_arrives_even_while_the_client_is_still_sending) {
    // 413 is decided from the headers, while the client is still sending its body: the server
    // must linger (read and discard) so the client reads the 413 instead of a connection reset.
    server_process server({"--client-max-body-size", "1k"});
    client c(server.port());
    std::string body(4 * 1024 * 1024, 'x');
    c.send("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n");
    std::thread sender([&] {
        try {
            c.send(body);
        } catch (const std::exception&) {
        }
    });
    auto res = c.read_response();
    sender.join();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 413);
}
