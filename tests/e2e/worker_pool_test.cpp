// The worker pool seen from outside: blocking handlers run beside the ring without slowing it,
// a full queue answers 503 and recovers, results for clients that left are dropped, and
// shutdown drains (SIGQUIT) or abandons (SIGTERM) queued work.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include "harness.hpp"

using namespace e2e;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

std::vector<std::unique_ptr<client>> send_delays(const server_process& server, int count, int ms) {
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < count; ++i) {
        clients.push_back(std::make_unique<client>(server.port()));
        clients.back()->send(get("/debug/delay?ms=" + std::to_string(ms)));
    }
    return clients;
}

}  // namespace

class worker_pool_wake : public ::testing::TestWithParam<const char*> {};

// Per-request latencies of `count` fast requests spread over `clients`, sorted.
std::vector<clock_type::duration> fast_latencies(std::vector<std::unique_ptr<client>>& clients,
                                                 int count) {
    std::vector<clock_type::duration> latencies;
    for (int i = 0; i < count; ++i) {
        const auto before = clock_type::now();
        auto res =
            clients[i % clients.size()]->roundtrip(get(i % 2 ? "/api/hello" : "/debug/inline"));
        latencies.push_back(clock_type::now() - before);
        if (!res || res->status != 200) {
            ADD_FAILURE() << "fast request " << i << " failed";
            break;
        }
    }
    std::sort(latencies.begin(), latencies.end());
    return latencies;
}

clock_type::duration p99(const std::vector<clock_type::duration>& sorted) {
    return sorted.empty() ? clock_type::duration::max() : sorted[sorted.size() * 99 / 100];
}

TEST_P(worker_pool_wake, slow_blocking_requests_leave_fast_ones_on_the_same_ring_unhurt) {
    server_process server(
        {"--threads", "1", "--workers", "4", "--debug-routes", "--worker-wake", GetParam()});
    EXPECT_NE(server.log().find(std::string("worker_wake=") +
                                (std::string(GetParam()) == "eventfd" ? "eventfd" : "msg_ring")),
              std::string::npos)
        << server.log();
    std::vector<std::unique_ptr<client>> fast;
    for (int i = 0; i < 10; ++i) fast.push_back(std::make_unique<client>(server.port()));
    const auto baseline = p99(fast_latencies(fast, 1000));

    // As many slow requests as there are workers: every worker sleeps.
    auto slow = send_delays(server, 4, 3000);
    std::this_thread::sleep_for(100ms);
    const auto start = clock_type::now();
    const auto loaded = p99(fast_latencies(fast, 1000));
    // All 1000 were answered while the four workers slept, with no added latency beyond noise.
    EXPECT_LT(clock_type::now() - start, 2500ms);
    EXPECT_LT(loaded, baseline + 20ms) << "fast requests waited behind the blocking ones";

    for (auto& c : slow) {
        auto res = c->read_response();
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 200);
        EXPECT_EQ(res->body, "slept 3000 ms\n");
    }
}

INSTANTIATE_TEST_SUITE_P(wake, worker_pool_wake, ::testing::Values("auto", "eventfd"));

TEST(worker_pool, pipelined_requests_stay_in_order_around_pool_work) {
    server_process server({"--threads", "1", "--debug-routes"});
    client c(server.port());
    c.send(get("/debug/delay?ms=200") + get("/debug/inline") + get("/debug/pooled") +
           get("/api/hello"));
    auto first = c.read_response();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->body, "slept 200 ms\n");
    for (const char* body : {"ok\n", "ok\n"}) {
        auto res = c.read_response();
        ASSERT_TRUE(res);
        EXPECT_EQ(res->body, body);
    }
    auto last = c.read_response();
    ASSERT_TRUE(last);
    EXPECT_EQ(last->header("content-type"), "application/json");
}

TEST(worker_pool, a_full_queue_answers_503_with_retry_after_and_recovers) {
    server_process server(
        {"--threads", "1", "--workers", "1", "--worker-queue", "2", "--debug-routes"});
    auto running = send_delays(server, 1, 800);
    std::this_thread::sleep_for(100ms);  // the one worker has taken it
    auto queued = send_delays(server, 2, 10);
    std::this_thread::sleep_for(100ms);

    client refused(server.port());
    auto res = refused.roundtrip(get("/debug/delay?ms=10"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503);
    EXPECT_EQ(res->header("retry-after"), "1");
    // The connection stays usable, and requests that need no worker are served meanwhile.
    auto inline_res = refused.roundtrip(get("/debug/inline"));
    ASSERT_TRUE(inline_res);
    EXPECT_EQ(inline_res->status, 200);

    for (auto* group : {&running, &queued})
        for (auto& c : *group) {
            auto done = c->read_response();
            ASSERT_TRUE(done);
            EXPECT_EQ(done->status, 200);
        }
    auto again = refused.roundtrip(get("/debug/delay?ms=10"));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200);
}

TEST(worker_pool, a_result_for_a_client_that_left_is_dropped_not_sent_to_the_next) {
    server_process server({"--threads", "1", "--workers", "2", "--debug-routes"});
    const size_t descriptors_before = open_descriptors(server.pid());
    {
        client leaves(server.port());
        leaves.send(get("/debug/delay?ms=400"));
        std::this_thread::sleep_for(50ms);
    }  // closed while its handler sleeps
    {
        client resets(server.port());
        resets.send(get("/debug/delay?ms=400"));
        std::this_thread::sleep_for(50ms);
        linger abort_on_close{1, 0};  // close with RST
        setsockopt(resets.fd(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    }
    std::this_thread::sleep_for(50ms);
    // New connections take the freed slots; the old results must not reach them.
    std::vector<std::unique_ptr<client>> next;
    for (int i = 0; i < 4; ++i) next.push_back(std::make_unique<client>(server.port()));
    std::this_thread::sleep_for(600ms);  // both sleeps are over and their results are back
    for (auto& c : next) {
        auto res = c->roundtrip(get("/hello/next"));
        ASSERT_TRUE(res);
        EXPECT_EQ(res->body, "Hello, next");
        EXPECT_EQ(c->buffered(), "") << "bytes of another connection's response arrived";
    }
    next.clear();
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(open_descriptors(server.pid()), descriptors_before);
    EXPECT_EQ(server.log().find("[error]"), std::string::npos) << server.log();
}

TEST(worker_pool, sigquit_finishes_queued_work_before_exiting) {
    server_process server({"--threads", "1", "--workers", "1", "--debug-routes"});
    auto clients = send_delays(server, 3, 300);  // one running, two queued
    std::this_thread::sleep_for(100ms);
    server.signal(SIGQUIT);
    for (auto& c : clients) {
        auto res = c->read_response();
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 200);
        EXPECT_EQ(res->header("connection"), "close");
    }
    EXPECT_EQ(server.wait_exit(5s), 0);
}

TEST(worker_pool, sigterm_abandons_queued_work_and_exits_promptly) {
    server_process server({"--threads", "1", "--workers", "2", "--debug-routes"});
    auto clients = send_delays(server, 6, 5000);  // two sleeping, four queued
    std::this_thread::sleep_for(200ms);
    const auto start = clock_type::now();
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(5s), 0);
    EXPECT_LT(clock_type::now() - start, 2s);
    for (auto& c : clients) EXPECT_FALSE(c->read_response());  // closed without an answer
}

TEST(worker_pool, debug_routes_are_off_by_default_and_validate_their_input) {
    {
        server_process server;
        client c(server.port());
        auto res = c.roundtrip(get("/debug/delay?ms=1"));
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 404);
    }
    server_process server({"--debug-routes"});
    client c(server.port());
    for (const char* bad : {"/debug/delay", "/debug/delay?ms=x", "/debug/spin?ms=10001"}) {
        auto res = c.roundtrip(get(bad));
        ASSERT_TRUE(res) << bad;
        EXPECT_EQ(res->status, 400) << bad;
    }
    auto spun = c.roundtrip(get("/debug/spin?ms=20"));
    ASSERT_TRUE(spun);
    EXPECT_EQ(spun->status, 200);
    EXPECT_EQ(spun->body.rfind("spun 20 ms", 0), 0u) << spun->body;
}
