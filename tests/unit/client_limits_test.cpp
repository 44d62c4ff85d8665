#include "http/client_limits.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>

using namespace ringhttpd;

namespace {

io::client_address ip(uint32_t n) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(n);
    return io::client_address::from_sockaddr(reinterpret_cast<sockaddr*>(&sa));
}

}  // namespace

TEST(client_limits, rate_without_burst_allows_one_request_per_interval) {
    http::client_limits limits({10.0, 0, 0});  // 10 r/s: one every 100 ms
    EXPECT_EQ(limits.check_request(ip(1), 1000), 0u);
    EXPECT_GT(limits.check_request(ip(1), 1000), 0u);  // at once: rejected
    EXPECT_GT(limits.check_request(ip(1), 1050), 0u);
    EXPECT_EQ(limits.check_request(ip(1), 1100), 0u);  // 100 ms later: allowed
    EXPECT_EQ(limits.check_request(ip(2), 1100), 0u);  // another client has its own bucket
}

TEST(client_limits, burst_serves_extra_requests_at_once_then_refuses) {
    http::client_limits limits({1.0, 3, 0});
    int allowed = 0;
    for (int i = 0; i < 10; ++i) allowed += limits.check_request(ip(1), 5000) == 0;
    EXPECT_EQ(allowed, 4);  // the first, plus a burst of 3
    EXPECT_EQ(limits.check_request(ip(1), 5000), 1u) << "Retry-After in seconds";
    EXPECT_EQ(limits.check_request(ip(1), 6000), 0u);  // one second drains one request
}

TEST(client_limits, retry_after_reflects_slow_rates) {
    http::client_limits limits({1.0 / 60, 0, 0});  // 1 r/m
    EXPECT_EQ(limits.check_request(ip(1), 0), 0u);
    EXPECT_EQ(limits.check_request(ip(1), 0), 60u);
}

TEST(client_limits, connections_are_counted_per_address) {
    http::client_limits limits({0, 0, 2});
    EXPECT_TRUE(limits.admit(ip(1)));
    EXPECT_TRUE(limits.admit(ip(1)));
    EXPECT_FALSE(limits.admit(ip(1)));
    EXPECT_TRUE(limits.admit(ip(2)));
    limits.release(ip(1));
    EXPECT_TRUE(limits.admit(ip(1)));
}

TEST(client_limits, memory_stays_bounded_with_many_addresses) {
    http::client_limits limits({5.0, 0, 0, 1024});
    for (uint32_t n = 0; n < 100000; ++n) limits.check_request(ip(n), 1000);
    EXPECT_LE(limits.tracked_clients(), 1024u);
}

TEST(client_limits, clients_holding_connections_are_never_evicted) {
    http::client_limits limits({0, 0, 1, 16});  // one tracked client per shard
    ASSERT_TRUE(limits.admit(ip(7)));
    for (uint32_t n = 100; n < 5000; ++n) {
        limits.admit(ip(n));
        limits.release(ip(n));
    }
    EXPECT_FALSE(limits.admit(ip(7)));  // still counted: its one connection is open
}
