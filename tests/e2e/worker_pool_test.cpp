// The worker pool seen from outside: blocking handlers run beside the ring without slowing it,
// a full queue answers 503 and recovers, results for clients that left are dropped, and
// shutdown drains (SIGQUIT) or abandons (SIGTERM) queued work.

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"

using namespace e2e;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

// Each on its own connection, so the pool can run them side by side.
std::vector<std::unique_ptr<client>> send_each(const server_process& server, int count,
                                               const std::string& path) {
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < count; ++i) {
        clients.push_back(std::make_unique<client>(server.port()));
        clients.back()->send(get(path));
    }
    return clients;
}

std::vector<std::unique_ptr<client>> send_delays(const server_process& server, int count, int ms) {
    return send_each(server, count, "/debug/delay?ms=" + std::to_string(ms));
}

// /debug/hold blocks a worker until /debug/release: a job that is certainly still running.
std::vector<std::unique_ptr<client>> send_holds(const server_process& server, int count) {
    return send_each(server, count, "/debug/hold");
}

// The debug jobs (delay, spin, hold) the workers are running now; -1 without an answer.
int running_jobs(client& probe) {
    auto res = probe.roundtrip(get("/debug/running"));
    return res && res->status == 200 ? std::stoi(res->body) : -1;
}

// Waits until the workers run exactly `count` debug jobs: "a worker has taken the job".
::testing::AssertionResult wait_running(client& probe, int count) {
    int last = -1;
    if (wait_until(
            patience, [&] { return (last = running_jobs(probe)) == count; },
            "the workers run " + std::to_string(count) + " debug jobs"))
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "the workers run " << last << " debug jobs";
}

// Lets every waiting hold go; returns how many there were, or -1 without an answer.
int release_holds(client& probe) {
    auto res = probe.roundtrip(get("/debug/release"));
    if (!res || res->status != 200 || res->body.rfind("released ", 0) != 0) return -1;
    return std::stoi(res->body.substr(9));
}

// True when the server has sent something on this connection (or closed it).
bool readable(const client& c) {
    pollfd p{c.fd(), POLLIN, 0};
    return poll(&p, 1, 0) > 0;
}

struct full_queue {
    std::vector<std::unique_ptr<client>> queued;
    std::unique_ptr<client> refused;  // answered 503; its response is still to be read
};

// With every worker held, sends `capacity` + 1 delay requests on their own connections. The ring
// reads them in whatever order: it queues `capacity` and refuses the last, and that 503 is the
// signal that the queue is full. Which connection was refused is found, not assumed.
full_queue fill_queue(const server_process& server, size_t capacity) {
    auto sent = send_delays(server, int(capacity) + 1, 10);
    size_t answered = sent.size();
    wait_until(
        patience,
        [&] {
            for (size_t i = 0; i < sent.size(); ++i)
                if (readable(*sent[i])) answered = i;
            return answered < sent.size();
        },
        "one request beyond the queue's capacity is answered");
    full_queue q;
    for (size_t i = 0; i < sent.size(); ++i) {
        if (i == answered)
            q.refused = std::move(sent[i]);
        else
            q.queued.push_back(std::move(sent[i]));
    }
    return q;
}

// Returns once each of `workers` workers has finished what it ran before and the ring has taken
// those results from its inbox: every worker takes a new hold (so it has posted its previous
// result), and the ring then delivers the holds' answers (so it has taken everything posted
// before them).
void settle_workers(const server_process& server, client& probe, int workers) {
    ASSERT_TRUE(wait_running(probe, 0));
    auto holds = send_holds(server, workers);
    ASSERT_TRUE(wait_running(probe, workers));
    ASSERT_EQ(release_holds(probe), workers);
    for (auto& h : holds) {
        auto res = h->read_response();
        ASSERT_TRUE(res);
        EXPECT_EQ(res->body, "released\n");
    }
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
    // Every kernel compat mask is older than ring-less MSG_RING (6.13): auto picks the eventfd.
    const bool eventfd = std::string(GetParam()) == "eventfd" || kernel_compat_masked();
    EXPECT_NE(server.log().find(std::string("worker_wake=") + (eventfd ? "eventfd" : "msg_ring")),
              std::string::npos)
        << server.log();
    std::vector<std::unique_ptr<client>> fast;
    for (int i = 0; i < 10; ++i) fast.push_back(std::make_unique<client>(server.port()));
    const auto baseline = p99(fast_latencies(fast, 1000));

    // As many blocking requests as there are workers: every worker is held until released.
    auto slow = send_holds(server, 4);
    client probe(server.port());
    ASSERT_TRUE(wait_running(probe, 4));
    const auto loaded = p99(fast_latencies(fast, 1000));
    // All 1000 were answered while the four workers were blocked (the release finds all four
    // still held), with no added latency beyond noise.
    EXPECT_EQ(release_holds(probe), 4);
    EXPECT_LT(loaded, baseline + 20ms) << "fast requests waited behind the blocking ones";

    for (auto& c : slow) {
        auto res = c->read_response();
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 200);
        EXPECT_EQ(res->body, "released\n");
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
    client probe(server.port());
    auto running = send_holds(server, 1);
    ASSERT_TRUE(wait_running(probe, 1));  // the one worker has taken it
    auto q = fill_queue(server, 2);
    ASSERT_TRUE(q.refused);

    auto res = q.refused->read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503);
    EXPECT_EQ(res->header("retry-after"), "1");
    // The connection stays usable, and requests that need no worker are served meanwhile.
    auto inline_res = q.refused->roundtrip(get("/debug/inline"));
    ASSERT_TRUE(inline_res);
    EXPECT_EQ(inline_res->status, 200);
    // The queued requests wait behind the held worker: nothing has come back for them.
    for (auto& c : q.queued) EXPECT_FALSE(readable(*c));

    EXPECT_EQ(release_holds(probe), 1);
    for (auto* group : {&running, &q.queued})
        for (auto& c : *group) {
            auto done = c->read_response();
            ASSERT_TRUE(done);
            EXPECT_EQ(done->status, 200);
        }
    // Their answers came back, so the queue is empty again.
    auto again = q.refused->roundtrip(get("/debug/delay?ms=10"));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200);
}

TEST(worker_pool, a_result_for_a_client_that_left_is_dropped_not_sent_to_the_next) {
    server_process server({"--threads", "1", "--workers", "2", "--debug-routes"});
    client probe(server.port());
    ASSERT_EQ(running_jobs(probe), 0);  // the probe's connection is open and counted below
    const size_t descriptors_before = open_descriptors(server.pid());
    {
        client leaves(server.port());
        leaves.send(get("/debug/hold"));
        ASSERT_TRUE(wait_running(probe, 1));
    }  // closed while its handler runs
    {
        client resets(server.port());
        resets.send(get("/debug/hold"));
        ASSERT_TRUE(wait_running(probe, 2));
        linger abort_on_close{1, 0};  // close with RST
        setsockopt(resets.fd(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    }
    // The server has seen both go and closed their sockets, although their jobs still run.
    ASSERT_TRUE(wait_until(
        patience, [&] { return open_descriptors(server.pid()) == descriptors_before; },
        "the server closes both connections"));
    // New connections take the freed slots (an answer shows the server has them)...
    std::vector<std::unique_ptr<client>> next;
    for (int i = 0; i < 4; ++i) {
        next.push_back(std::make_unique<client>(server.port()));
        auto res = next.back()->roundtrip(get("/hello/first"));
        ASSERT_TRUE(res);
        EXPECT_EQ(res->body, "Hello, first");
    }
    // ...before the old results come back; those must not reach them.
    EXPECT_EQ(release_holds(probe), 2);
    ASSERT_NO_FATAL_FAILURE(settle_workers(server, probe, 2));
    for (auto& c : next) {
        EXPECT_FALSE(readable(*c)) << "bytes of another connection's response arrived";
        auto res = c->roundtrip(get("/hello/next"));
        ASSERT_TRUE(res);
        EXPECT_EQ(res->body, "Hello, next");
        EXPECT_EQ(c->buffered(), "") << "bytes of another connection's response arrived";
    }
    next.clear();
    ASSERT_TRUE(wait_until(
        patience, [&] { return open_descriptors(server.pid()) == descriptors_before; },
        "the server closes the connections the test closed"));
    EXPECT_EQ(server.log().find("[error]"), std::string::npos) << server.log();
}

TEST(worker_pool, sigquit_finishes_queued_work_before_exiting) {
    server_process server(
        {"--threads", "1", "--workers", "1", "--worker-queue", "2", "--debug-routes"});
    client probe(server.port());
    auto running = send_holds(server, 1);
    ASSERT_TRUE(wait_running(probe, 1));
    auto q = fill_queue(server, 2);  // one running, two queued
    ASSERT_TRUE(q.refused);
    auto refused = q.refused->read_response();
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 503);
    // The release goes out half-sent: a drain answers a request that is under way.
    probe.send("GET /debug/release HTTP/1.1\r\nHost: x\r\n");
    server.signal(SIGQUIT);
    // The drain has begun once it closes the idle connection of the refused request.
    ASSERT_TRUE(q.refused->closed_by_peer(patience));
    probe.send("\r\n");
    auto released = probe.read_response();
    ASSERT_TRUE(released);
    EXPECT_EQ(released->body, "released 1\n");
    for (auto* group : {&running, &q.queued})
        for (auto& c : *group) {
            auto res = c->read_response();
            ASSERT_TRUE(res);
            EXPECT_EQ(res->status, 200);
            EXPECT_EQ(res->header("connection"), "close");
        }
    EXPECT_EQ(server.wait_exit(5s), 0);
}

TEST(worker_pool, sigterm_abandons_queued_work_and_exits_promptly) {
    server_process server(
        {"--threads", "1", "--workers", "2", "--worker-queue", "4", "--debug-routes"});
    client probe(server.port());
    // Held for as long as it takes (no release comes): SIGTERM must cut them short.
    auto held = send_holds(server, 2);
    ASSERT_TRUE(wait_running(probe, 2));
    auto q = fill_queue(server, 4);  // two held, four queued
    ASSERT_TRUE(q.refused);
    auto refused = q.refused->read_response();
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 503);
    const auto start = clock_type::now();
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(5s), 0);
    EXPECT_LT(clock_type::now() - start, 2s);
    for (auto* group : {&held, &q.queued})
        for (auto& c : *group) EXPECT_FALSE(c->read_response());  // closed without an answer
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
    // The test's signals: nothing runs now, and a release with nothing held lets none go.
    EXPECT_EQ(running_jobs(c), 0);
    EXPECT_EQ(release_holds(c), 0);
}
