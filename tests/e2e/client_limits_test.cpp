// Per-client limits against the real server; 127.0.0.2 is a second client on loopback.

#include <gtest/gtest.h>

#include <memory>

#include "harness.hpp"

using namespace e2e;

TEST(client_limits, limit_req_refuses_with_retry_after_and_spares_other_clients) {
    server_process server({"--limit-req", "1r/s", "--limit-req-burst", "2"});
    client c(server.port());
    int ok = 0, refused = 0;
    std::string retry_after;
    for (int i = 0; i < 6; ++i) {
        auto res = c.roundtrip(get("/api/hello"));
        ASSERT_TRUE(res) << i;
        if (res->status == 200) ++ok;
        if (res->status == 429) {
            ++refused;
            retry_after = res->header("retry-after");
        }
    }
    EXPECT_EQ(ok, 3);  // one at the rate plus a burst of two
    EXPECT_EQ(refused, 3);
    EXPECT_EQ(retry_after, "1");
    // The same client on another connection (maybe another ring) is limited too...
    client again(server.port());
    auto res = again.roundtrip(get("/api/hello"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 429);
    // ...but another address is not.
    client other(server.port(), "127.0.0.1", "127.0.0.2");
    res = other.roundtrip(get("/api/hello"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
}

TEST(client_limits, limit_req_status_can_be_503) {
    server_process server({"--limit-req", "1r/m", "--limit-req-status", "503"});
    client c(server.port());
    ASSERT_EQ(c.roundtrip(get("/api/hello"))->status, 200);
    auto res = c.roundtrip(get("/api/hello"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503);
    EXPECT_EQ(res->header("retry-after"), "60");
}

TEST(client_limits, limit_conn_caps_concurrent_connections_per_address) {
    server_process server({"--limit-conn", "2"});
    auto a = std::make_unique<client>(server.port());
    client b(server.port());
    ASSERT_EQ(a->roundtrip(get("/api/hello"))->status, 200);
    ASSERT_EQ(b.roundtrip(get("/api/hello"))->status, 200);
    {
        client third(server.port());
        auto res = third.roundtrip(get("/api/hello"));
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 503);
        EXPECT_FALSE(res->header("retry-after").empty());
        EXPECT_TRUE(third.closed_by_peer());
    }
    client other(server.port(), "127.0.0.1", "127.0.0.2");
    EXPECT_EQ(other.roundtrip(get("/api/hello"))->status, 200);
    // Closing one frees a place once the server has seen the close; until then a new
    // connection is refused (503 and closed), after it one is served.
    a.reset();
    int status = 0;
    EXPECT_TRUE(wait_until(
        patience,
        [&] {
            client fourth(server.port());
            auto res = fourth.roundtrip(get("/api/hello"));
            status = res ? res->status : 0;
            return status != 503;
        },
        "a new connection is admitted after one closed"));
    EXPECT_EQ(status, 200);
}

TEST(client_limits, behind_a_trusted_proxy_limit_req_counts_the_forwarded_client) {
    server_process server({"--limit-req", "1r/m", "--real-ip-from", "127.0.0.1/32"});
    auto from = [&](const char* source, const std::string& forwarded_for) {
        client c(server.port(), "127.0.0.1", source);
        auto res = c.roundtrip(get("/api/hello", "X-Forwarded-For: " + forwarded_for + "\r\n"));
        return res ? res->status : 0;
    };
    // The proxy (127.0.0.1) speaks for two clients: each has its own bucket.
    EXPECT_EQ(from("127.0.0.1", "203.0.113.1"), 200);
    EXPECT_EQ(from("127.0.0.1", "203.0.113.2"), 200);
    EXPECT_EQ(from("127.0.0.1", "203.0.113.1"), 429);
    // An untrusted peer's header is ignored: it is counted as itself, whatever it claims.
    EXPECT_EQ(from("127.0.0.2", "203.0.113.3"), 200);
    EXPECT_EQ(from("127.0.0.2", "203.0.113.4"), 429);
}

TEST(client_limits, behind_a_trusted_proxy_limit_conn_counts_the_forwarded_clients_requests) {
    server_process server({"--limit-conn", "1", "--real-ip-from", "127.0.0.1/32", "--debug-routes",
                           "--workers", "4"});
    // The proxy's connections carry many clients: none of them is refused for its address.
    std::vector<std::unique_ptr<client>> proxy;
    for (int i = 0; i < 3; ++i) proxy.push_back(std::make_unique<client>(server.port()));
    // One request of client 203.0.113.7 held on the pool...
    proxy[0]->send(get("/debug/hold", "X-Forwarded-For: 203.0.113.7\r\n"));
    ASSERT_TRUE(wait_until(
        patience,
        [&] {
            auto running =
                proxy[1]->roundtrip(get("/debug/running", "X-Forwarded-For: 198.51.100.1\r\n"));
            return running && running->body == "1\n";
        },
        "the first request is held"));
    // ...is its one request in flight: a second one from it is refused, with the proxy's
    // connection kept open for its other clients; another client is served.
    auto second = proxy[2]->roundtrip(get("/api/hello", "X-Forwarded-For: 203.0.113.7\r\n"));
    ASSERT_TRUE(second);
    EXPECT_EQ(second->status, 503);
    EXPECT_EQ(second->header("retry-after"), "1");
    auto other = proxy[2]->roundtrip(get("/api/hello", "X-Forwarded-For: 198.51.100.2\r\n"));
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 200);
    // Once answered, the client is under its limit again.
    ASSERT_EQ(proxy[1]->roundtrip(get("/debug/release"))->status, 200);
    ASSERT_TRUE(proxy[0]->read_response());
    auto again = proxy[2]->roundtrip(get("/api/hello", "X-Forwarded-For: 203.0.113.7\r\n"));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200);
    // An untrusted peer is still limited by its connections.
    client direct(server.port(), "127.0.0.1", "127.0.0.2");
    ASSERT_EQ(direct.roundtrip(get("/api/hello"))->status, 200);
    client direct_again(server.port(), "127.0.0.1", "127.0.0.2");
    auto refused = direct_again.roundtrip(get("/api/hello"));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 503);
}
