// SIGUSR2: a new process takes the listening sockets over, and the old one drains and exits,
// with no request failing on the way; a new process that cannot start changes nothing.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <memory>
#include <regex>
#include <thread>

#include "harness.hpp"

using namespace e2e;
using namespace std::chrono_literals;

namespace {

bool logged(const server_process& server, const std::string& text) {
    return server.log().find(text) != std::string::npos;
}

// The pid the log names as the process that took over, or 0.
pid_t successor(const server_process& server) {
    std::smatch m;
    const std::string log = server.log();
    static const std::regex serves(R"(upgrade: process (\d+) serves)");
    return std::regex_search(log, m, serves) ? pid_t(std::stoi(m[1])) : 0;
}

// Keep-alive clients that request without pause, as a browser or a proxy would: a connection
// the server ends with `Connection: close` is replaced; a request that gets no answer fails.
class steady_load {
  public:
    steady_load(uint16_t port, int clients) {
        for (int i = 0; i < clients; ++i)
            threads_.emplace_back([this, port] {
                auto c = std::make_unique<client>(port);
                while (!stop_) {
                    auto res = c->roundtrip(get("/index.html"));
                    if (!res || res->status != 200) {
                        ++failed_;
                    } else {
                        ++answered_;
                        if (res->header("connection") != "close") continue;
                    }
                    c = std::make_unique<client>(port);
                }
            });
    }
    ~steady_load() { stop(); }
    void stop() {
        stop_ = true;
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }
    int answered() const { return answered_; }
    int failed() const { return failed_; }

  private:
    std::atomic<bool> stop_{false};
    std::atomic<int> answered_{0}, failed_{0};
    std::vector<std::thread> threads_;
};

}  // namespace

TEST(upgrade, a_new_process_takes_over_under_load_and_no_request_fails) {
    server_process server({"--threads", "1"});
    steady_load load(server.port(), 8);
    ASSERT_TRUE(wait_until(
        patience, [&] { return load.answered() > 100; }, "the load runs"));

    server.signal(SIGUSR2);
    ASSERT_TRUE(wait_until(
        patience, [&] { return successor(server) != 0; }, "a new process"))
        << server.log();
    const pid_t next = successor(server);
    EXPECT_EQ(server.wait_exit(patience), 0) << "the old process drains and exits 0";
    const int answered_at_exit = load.answered();
    ASSERT_TRUE(wait_until(
        patience, [&] { return load.answered() > answered_at_exit + 100; },
        "the new process answers"));
    load.stop();
    EXPECT_EQ(load.failed(), 0) << server.log();

    auto res = client(server.port()).roundtrip(get("/api/hello"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_TRUE(logged(server, "upgrade: took over 1 socket(s) listening on 127.0.0.1:0"))
        << server.log();
    // The new process re-arms its accepts once the old one has gone (a lost wake-up).
    EXPECT_TRUE(wait_until(
        patience, [&] { return logged(server, "upgrade: the old process has exited"); },
        "the new process notices the old one's exit"))
        << server.log();
    kill(next, SIGQUIT);
    EXPECT_TRUE(wait_until(
        patience, [&] { return kill(next, 0) != 0; }, "the new process exits"));
}

TEST(upgrade, a_new_process_that_cannot_start_leaves_the_old_one_serving) {
    temp_dir dir;
    const std::string file = dir.path() + "/ringhttpd.toml";
    dir.write("ringhttpd.toml", "expires = \"1h\"\n");
    server_process server({"-c", file});
    dir.write("ringhttpd.toml", "expires = \"1h\"\ngzip = maybe\n");  // the new one refuses it

    server.signal(SIGUSR2);
    ASSERT_TRUE(wait_until(
        patience, [&] { return logged(server, "still serving"); },
        "the failed upgrade is reported"))
        << server.log();
    EXPECT_TRUE(logged(server, "exited with status 1 before serving")) << server.log();
    EXPECT_TRUE(logged(server, file + ":2:")) << "the new process says what is wrong";
    auto res = client(server.port()).roundtrip(get("/index.html"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->header("cache-control"), "max-age=3600");
    server.signal(SIGQUIT);
    EXPECT_EQ(server.wait_exit(patience), 0);
}
