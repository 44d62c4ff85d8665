// The library as an embedder sees it: only <ringhttpd/...> headers (this target's include path
// holds nothing else), a real server on a loopback port, plain sockets.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include <ringhttpd/router.hpp>
#include <ringhttpd/server.hpp>
#include <ringhttpd/static_files.hpp>

using namespace ringhttpd;
using namespace std::chrono_literals;

namespace {

// One request on a new connection that the server closes after its answer; the whole answer.
std::string fetch(uint16_t port, const std::string& path) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        return "connect failed";
    }
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) != ssize_t(req.size())) {
        close(fd);
        return "send failed";
    }
    std::string answer;
    char buf[4096];
    for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) answer.append(buf, size_t(n));
    close(fd);
    return answer;
}

std::string body_of(const std::string& answer) {
    const size_t end = answer.find("\r\n\r\n");
    return end == std::string::npos ? "" : answer.substr(end + 4);
}

struct counter {
    int hits = 0;
};

class public_api : public ::testing::Test {
  protected:
    void SetUp() override {
        std::filesystem::create_directories(root_);
        std::ofstream(root_ / "index.html") << "<h1>files</h1>\n";
    }
    void TearDown() override { std::filesystem::remove_all(root_); }

    config one_ring() const {
        config cfg;
        cfg.listen = {listen_address::parse("127.0.0.1:0")};
        cfg.threads = 1;
        cfg.workers = 2;
        return cfg;
    }

    const std::filesystem::path root_ = std::filesystem::temp_directory_path() /
                                        ("ringhttpd-public-api-" + std::to_string(getpid()));
};

}  // namespace

TEST_F(public_api, an_embedded_server_serves_ring_pool_storage_and_file_routes) {
    router routes;
    routes.add(http_method::get, "/hello/{name}", [](const request& req) {
        return response::text(200, "hello " + std::string(*req.param("name")));
    });
    routes.add("GET", "/count", [](const request&, const context& ctx) {
        static const char owner = 0;
        auto& c = ctx.storage->get<counter>(&owner, [] { return std::make_shared<counter>(); });
        return response::text(200, std::to_string(ctx.ring) + ":" + std::to_string(++c.hits));
    });
    routes.add(
        http_method::get, "/pooled",
        [](const request&, const context& ctx) {
            // On the pool there is no ring storage: it belongs to the ring's thread.
            return response::text(200, ctx.storage ? "storage" : "no storage");
        },
        runs_on::worker_pool);
    routes.set_fallback(static_files(root_.string()).handler());

    server srv(one_ring(), std::move(routes));
    srv.start();
    const uint16_t port = srv.port();
    ASSERT_NE(port, 0);

    EXPECT_EQ(body_of(fetch(port, "/hello/world")), "hello world");
    EXPECT_EQ(body_of(fetch(port, "/count")), "0:1");
    EXPECT_EQ(body_of(fetch(port, "/count")), "0:2");  // the same ring's object
    EXPECT_EQ(body_of(fetch(port, "/pooled")), "no storage");
    EXPECT_EQ(body_of(fetch(port, "/")), "<h1>files</h1>\n");
    EXPECT_EQ(fetch(port, "/nothing-here").rfind("HTTP/1.1 404 ", 0), 0u);
    srv.stop();
    srv.wait();
}

TEST_F(public_api, stop_reaches_pooled_work_through_the_stop_token) {
    std::promise<void> sleeping;
    std::promise<bool> woke_early;
    router routes;
    routes.add(
        "GET", "/sleep",
        [&](const request&, const context& ctx) {
            sleeping.set_value();
            woke_early.set_value(!sleep_unless_stopped(ctx, 60s));
            return response::text(200, "slept");
        },
        runs_on::worker_pool);
    server srv(one_ring(), std::move(routes));
    srv.start();
    auto answer =
        std::async(std::launch::async, [port = srv.port()] { return fetch(port, "/sleep"); });
    ASSERT_EQ(sleeping.get_future().wait_for(30s), std::future_status::ready);
    const auto start = std::chrono::steady_clock::now();
    srv.stop();
    srv.wait();
    EXPECT_TRUE(woke_early.get_future().get());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
    answer.get();  // the connection was closed, with or without an answer
}

TEST(public_api_types, content_length_follows_the_one_body_there_is) {
    response r = response::text(200, "12345");
    EXPECT_EQ(r.content_length(), 5u);
    EXPECT_EQ(r.body_text(), "12345");
    r.body = std::make_shared<const std::string>("shared");
    EXPECT_EQ(r.content_length(), 6u);
    EXPECT_EQ(r.body_text(), "shared");
    r.body = file_body{nullptr, 10, 1000};
    EXPECT_EQ(r.content_length(), 1000u);
    EXPECT_EQ(r.body_text(), "");
    r.body = std::vector<body_part>{"--b\r\n", file_body{nullptr, 0, 100}, "\r\n--b--\r\n"};
    EXPECT_EQ(r.content_length(), 5u + 100u + 9u);
}

TEST(public_api_types, methods_have_names_and_back) {
    for (http_method m : {http_method::get, http_method::head, http_method::post, http_method::put,
                          http_method::delete_, http_method::options, http_method::patch,
                          http_method::trace, http_method::connect})
        EXPECT_EQ(method_from_name(method_name(m)), m) << method_name(m);
    EXPECT_EQ(method_from_name("PROPFIND"), http_method::other);
    EXPECT_EQ(method_from_name("get"), http_method::other);  // methods are case-sensitive
}
