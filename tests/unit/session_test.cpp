// The HTTP session without sockets: bytes in, queued output out.

#include "http/session.hpp"

#include <gtest/gtest.h>

#include "app/api.hpp"

using namespace ringhttpd;

namespace {

struct session_fixture {
    router routes;
    http::session_context ctx;
    ring_storage storage;
    context ring{0, &storage, {}};
    http::session s{init(), ring};
    io::connection_control conn;

    const http::session_context& init() {
        app::add_builtin_routes(routes);
        ctx.dispatch = [this](request& req, const context& c) { return routes.dispatch(req, c); };
        return ctx;
    }
    // Everything queued so far, as bytes (file segments are not expected here).
    std::string output() {
        std::string all;
        while (!conn.out.empty()) {
            all += conn.out.front().bytes;
            conn.out.pop_front();
        }
        return all;
    }
};

size_t count(const std::string& haystack, const std::string& needle) {
    size_t n = 0;
    for (size_t pos = haystack.find(needle); pos != std::string::npos;
         pos = haystack.find(needle, pos + 1))
        ++n;
    return n;
}

}  // namespace

TEST(session, answers_pipelined_requests_in_order_in_one_buffer) {
    session_fixture f;
    f.s.on_receive(
        f.conn, "GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\nGET /hello/b HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string out = f.output();
    EXPECT_EQ(count(out, "HTTP/1.1 200 OK"), 2u);
    EXPECT_LT(out.find("Hello, a"), out.find("Hello, b"));
    EXPECT_FALSE(f.conn.close_after_output);
}

TEST(session, an_error_closes_after_the_response_and_ignores_later_input) {
    session_fixture f;
    f.s.on_receive(f.conn, "NONSENSE\r\n\r\n");
    EXPECT_TRUE(f.conn.close_after_output);
    EXPECT_FALSE(f.s.wants_input());
    std::string out = f.output();
    EXPECT_EQ(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u);
    EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
    f.s.on_receive(f.conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(f.conn.out.empty());
}

TEST(session, holds_back_pipelined_input_while_output_is_large) {
    session_fixture f;
    std::string body(300 * 1024, 'x');
    std::string req =
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    // 300 KiB response > the high-water mark: the second request waits for the drain.
    http::parser_limits limits;
    f.s.on_receive(f.conn, req + "GET /hello/after HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_FALSE(f.s.wants_input());
    std::string first = f.output();
    EXPECT_EQ(first.find("Hello, after"), std::string::npos);
    f.s.on_output_drained(f.conn);
    EXPECT_TRUE(f.s.wants_input());
    EXPECT_NE(f.output().find("Hello, after"), std::string::npos);
}

TEST(session, shutdown_closes_idle_connections_and_finishes_partial_requests) {
    session_fixture idle;
    EXPECT_TRUE(idle.s.on_shutdown(idle.conn));

    session_fixture busy;
    busy.s.on_receive(busy.conn, "GET /hello/late HTTP/1.1\r\nHost: x\r\n");
    EXPECT_FALSE(busy.s.on_shutdown(busy.conn));
    busy.s.on_receive(busy.conn, "\r\n");
    std::string out = busy.output();
    EXPECT_NE(out.find("Hello, late"), std::string::npos);
    EXPECT_NE(out.find("Connection: close"), std::string::npos);
    EXPECT_TRUE(busy.conn.close_after_output);
}

TEST(session, sends_100_continue_once_before_the_body) {
    session_fixture f;
    f.s.on_receive(
        f.conn,
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_EQ(f.output(), "HTTP/1.1 100 Continue\r\n\r\n");
    f.s.on_receive(f.conn, "4");
    EXPECT_TRUE(f.conn.out.empty());
    f.s.on_receive(f.conn, "2");
    EXPECT_NE(f.output().find(R"({"echo":42})"), std::string::npos);
}

TEST(session, a_recycled_session_serves_a_new_connection_like_a_fresh_one) {
    session_fixture f;
    f.s.on_receive(f.conn, "GET /hello/one HTTP/1.0\r\n\r\n");  // HTTP/1.0: keep-alive off
    EXPECT_NE(f.output().find("Hello, one"), std::string::npos);
    f.s.recycle();
    io::connection_control next;  // another connection
    f.s.on_receive(next, "GET /hello/two HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string out;
    while (!next.out.empty()) {
        out += next.out.front().bytes;
        next.out.pop_front();
    }
    EXPECT_NE(out.find("Hello, two"), std::string::npos);
    EXPECT_EQ(out.find("Connection: close"), std::string::npos);
    EXPECT_FALSE(next.close_after_output);
    EXPECT_TRUE(f.s.idle());
}

TEST(session, a_close_the_client_asked_for_needs_no_linger) {
    session_fixture close_header;
    close_header.s.on_receive(close_header.conn,
                              "GET /hello/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(close_header.conn.close_after_output);
    EXPECT_TRUE(close_header.conn.linger_not_needed);

    session_fixture http10;  // HTTP/1.0 without keep-alive: the client closes after one request
    http10.s.on_receive(http10.conn, "GET /hello/a HTTP/1.0\r\n\r\n");
    EXPECT_TRUE(http10.conn.close_after_output);
    EXPECT_TRUE(http10.conn.linger_not_needed);

    session_fixture split;  // the request in pieces, the last one completes it
    split.s.on_receive(split.conn, "POST /api/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    split.s.on_receive(split.conn, "Content-Length: 2\r\n\r\n4");
    split.s.on_receive(split.conn, "2");
    EXPECT_TRUE(split.conn.close_after_output);
    EXPECT_TRUE(split.conn.linger_not_needed);
}

TEST(session, a_close_with_more_input_pending_keeps_the_linger) {
    // A request pipelined after the close: its client is still sending, and a close with its
    // bytes unread would reset the connection and could destroy the answer.
    session_fixture pipelined;
    pipelined.s.on_receive(pipelined.conn,
                           "GET /hello/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                           "GET /hello/b HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(pipelined.conn.close_after_output);
    EXPECT_FALSE(pipelined.conn.linger_not_needed);

    // Bytes that arrive after the answer was queued, before the reactor closed.
    session_fixture late;
    late.s.on_receive(late.conn, "GET /hello/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(late.conn.linger_not_needed);
    late.s.on_receive(late.conn, "GET /hello/b HTTP/1.1\r\n");
    EXPECT_FALSE(late.conn.linger_not_needed);
    EXPECT_EQ(count(late.output(), "HTTP/1.1 200 OK"), 1u);
}

TEST(session, a_close_of_the_servers_own_keeps_the_linger) {
    // keepalive_requests reached: the client expected to go on and may be sending right now.
    session_fixture limit;
    limit.ctx.keepalive_requests = 1;
    limit.s.on_receive(limit.conn, "GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(limit.conn.close_after_output);
    EXPECT_FALSE(limit.conn.linger_not_needed);

    // An error: the rest of the request (a body) may still be on its way.
    session_fixture error;
    error.s.on_receive(error.conn, "NONSENSE\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(error.conn.close_after_output);
    EXPECT_FALSE(error.conn.linger_not_needed);

    // A drain closes on the server's initiative too.
    session_fixture drain;
    drain.s.on_receive(drain.conn, "GET /hello/a HTTP/1.1\r\nHost: x\r\n");
    drain.s.on_shutdown(drain.conn);
    drain.s.on_receive(drain.conn, "\r\n");
    EXPECT_TRUE(drain.conn.close_after_output);
    EXPECT_FALSE(drain.conn.linger_not_needed);
}
