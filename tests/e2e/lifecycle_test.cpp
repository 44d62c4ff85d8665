// Signals, graceful drain and startup errors of the real binary.

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <memory>

#include "harness.hpp"

using namespace e2e;
using namespace std::chrono_literals;

TEST(lifecycle, sigterm_and_sigint_stop_promptly_with_status_0) {
    for (int sig : {SIGTERM, SIGINT}) {
        server_process server;
        client idle(server.port());
        ASSERT_TRUE(idle.roundtrip(get("/api/hello")));
        auto start = std::chrono::steady_clock::now();
        server.signal(sig);
        EXPECT_EQ(server.wait_exit(5s), 0) << strsignal(sig);
        EXPECT_LT(std::chrono::steady_clock::now() - start, 2s) << strsignal(sig);
    }
}

TEST(lifecycle, sigquit_drains_in_flight_requests_and_closes_idle_connections) {
    temp_dir root;
    std::string big(8 * 1024 * 1024, 'z');
    root.write("big.bin", big);
    root.write("index.html", "home");
    server_process server({}, root.path());
    const size_t descriptors_before = open_descriptors(server.pid());

    // Idle keep-alive connections: closed by the drain.
    std::vector<std::unique_ptr<client>> idle;
    for (int i = 0; i < 20; ++i) {
        idle.push_back(std::make_unique<client>(server.port()));
        ASSERT_TRUE(idle.back()->roundtrip(get("/")));
    }
    // Requests half-sent when the signal arrives: they must still be answered.
    std::vector<std::unique_ptr<client>> partial;
    for (int i = 0; i < 20; ++i) {
        partial.push_back(std::make_unique<client>(server.port()));
        partial.back()->send("GET /hello/p" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n");
    }
    // A large download in progress that the client reads slowly.
    client downloader(server.port());
    downloader.send(get("/big.bin"));
    // The signal must find every connection accepted (the drain closes the listener, and a
    // connection still in its backlog would be lost) and the download started: its first bytes
    // have arrived, and the server holds the 41 sockets and the open file.
    pollfd first_bytes{downloader.fd(), POLLIN, 0};
    ASSERT_EQ(poll(&first_bytes, 1, int(std::chrono::milliseconds(patience).count())), 1);
    ASSERT_TRUE(wait_until(
        patience,
        [&] {
            return open_descriptors(server.pid()) ==
                   descriptors_before + idle.size() + partial.size() + 2;
        },
        "the server has accepted every connection"));

    server.signal(SIGQUIT);
    // The drain has begun once it closes the idle connections (on both rings: 20 connections
    // are all but certain to land on each).
    for (auto& c : idle) EXPECT_TRUE(c->closed_by_peer(patience));
    for (size_t i = 0; i < partial.size(); ++i) {
        partial[i]->send("\r\n");
        auto res = partial[i]->read_response();
        ASSERT_TRUE(res) << "partial request " << i << " failed during drain";
        EXPECT_EQ(res->status, 200);
        EXPECT_EQ(res->body, "Hello, p" + std::to_string(i));
        EXPECT_EQ(res->header("connection"), "close");
        EXPECT_TRUE(partial[i]->closed_by_peer());
    }
    auto download = downloader.read_response();
    ASSERT_TRUE(download);
    EXPECT_TRUE(download->body == big);

    EXPECT_EQ(server.wait_exit(10s), 0);
    // No new connections are accepted after the drain began.
    EXPECT_THROW(client late(server.port()), std::runtime_error);
}

TEST(lifecycle, version_and_help) {
    auto [status, out] = run_binary({"--version"});
    EXPECT_EQ(status, 0);
    EXPECT_NE(out.find("ringhttpd 0."), std::string::npos) << out;
    std::tie(status, out) = run_binary({"--help"});
    EXPECT_EQ(status, 0);
    for (const char* flag : {"--listen", "--root", "--threads", "--client-max-body-size"})
        EXPECT_NE(out.find(flag), std::string::npos) << flag;
}

TEST(lifecycle, startup_errors_say_what_to_fix) {
    auto [status, out] = run_binary({"--listen", "127.0.0.1:0", "--root", "/nonexistent/dir"});
    EXPECT_EQ(status, 1);
    EXPECT_NE(out.find("--root"), std::string::npos) << out;
    std::tie(status, out) = run_binary({"--bogus"});
    EXPECT_EQ(status, 2);
    EXPECT_NE(out.find("unknown option '--bogus'"), std::string::npos) << out;
    std::tie(status, out) = run_binary({"--listen", "nowhere"});
    EXPECT_EQ(status, 2);
    EXPECT_NE(out.find("HOST:PORT"), std::string::npos) << out;

    server_process taken;
    std::tie(status, out) = run_binary(
        {"--listen", "127.0.0.1:" + std::to_string(taken.port()), "--root", RINGHTTPD_STATIC_DIR});
    // SO_REUSEPORT must not let a second server silently share a port that is in use.
    EXPECT_EQ(status, 1) << out;
    EXPECT_NE(out.find("Address already in use"), std::string::npos) << out;
}

TEST(lifecycle, port_0_binds_a_free_port_and_logs_it) {
    server_process a, b;
    EXPECT_NE(a.port(), 0);
    EXPECT_NE(a.port(), b.port());
}
