// Many clients at once on the real server.

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "harness.hpp"

using namespace e2e;

TEST(concurrency, a_thousand_connections_each_doing_a_few_requests) {
    server_process server;
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < 1000; ++i) clients.push_back(std::make_unique<client>(server.port()));
    int ok = 0;
    for (int round = 0; round < 3; ++round) {
        // Every connection has a request in flight before any response is read.
        for (size_t i = 0; i < clients.size(); ++i)
            clients[i]->send(get("/hello/c" + std::to_string(i) + "r" + std::to_string(round)));
        for (size_t i = 0; i < clients.size(); ++i) {
            auto res = clients[i]->read_response();
            ASSERT_TRUE(res) << "client " << i << " round " << round;
            EXPECT_EQ(res->body, "Hello, c" + std::to_string(i) + "r" + std::to_string(round));
            ok += res->status == 200;
        }
    }
    EXPECT_EQ(ok, 3000);
}
