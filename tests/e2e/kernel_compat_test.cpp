// The older kernels' paths, run on this one: RINGHTTPD_KERNEL_COMPAT hides every io_uring and
// syscall feature newer than the release it names, the startup line says which path each part
// took, and the server still serves files, the API, pipelined requests and the worker pool, and
// drains on SIGQUIT. scripts/compat-check.sh runs a wider part of the suite under each mask.

#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"

using namespace e2e;

namespace {

struct compat_case {
    const char* mask;
    const char* ring_flags;  // exactly, as the startup line spells them
    const char* recv;        // multishot_recv or oneshot_recv
    const char* page_cache_check;
};

const compat_case compat_cases[] = {
    {"5.19", "COOP_TASKRUN|TASKRUN_FLAG|SUBMIT_ALL|CQSIZE", "oneshot_recv", "off"},
    {"6.0", "SINGLE_ISSUER|COOP_TASKRUN|SUBMIT_ALL|CQSIZE", "multishot_recv", "off"},
    {"6.1", "SINGLE_ISSUER|DEFER_TASKRUN|COOP_TASKRUN|SUBMIT_ALL|CQSIZE", "multishot_recv", "off"},
    {"6.5", "SINGLE_ISSUER|DEFER_TASKRUN|COOP_TASKRUN|SUBMIT_ALL|CQSIZE", "multishot_recv",
     "cachestat"},
    {"6.12", "SINGLE_ISSUER|DEFER_TASKRUN|COOP_TASKRUN|SUBMIT_ALL|CQSIZE", "multishot_recv",
     "cachestat"},
};

process_limits with_mask(const std::string& mask) {
    process_limits limits;
    limits.environment = {{"RINGHTTPD_KERNEL_COMPAT", mask}};
    return limits;
}

// The value of `name=` in the startup line.
std::string field(const std::string& log, const std::string& name) {
    const size_t at = log.find(" " + name + "=");
    if (at == std::string::npos) return "(missing)";
    const size_t begin = at + name.size() + 2;
    return log.substr(begin, log.find_first_of(" \n", begin) - begin);
}

class kernel_compat_mask : public ::testing::TestWithParam<compat_case> {};

}  // namespace

TEST_P(kernel_compat_mask, the_startup_line_names_each_fallback_and_the_server_serves) {
    const compat_case& c = GetParam();
    server_process server({"--threads", "1", "--workers", "2", "--debug-routes"},
                          RINGHTTPD_STATIC_DIR, with_mask(c.mask));
    const std::string log = server.log();
    EXPECT_EQ(field(log, "compat"), c.mask) << log;
    EXPECT_EQ(field(log, "ring_flags"), c.ring_flags) << log;
    EXPECT_NE(field(log, "io_uring_features").find(c.recv), std::string::npos) << log;
    EXPECT_EQ(field(log, "io_uring_features").find("SEND_ZC") != std::string::npos,
              std::string(c.mask) != "5.19")
        << log;
    EXPECT_EQ(field(log, "worker_wake"), "eventfd") << log;  // ring-less MSG_RING is 6.13
    EXPECT_EQ(field(log, "page_cache_check"), c.page_cache_check) << log;

    client one(server.port());
    auto index = one.roundtrip(get("/"));
    ASSERT_TRUE(index);
    EXPECT_EQ(index->status, 200);
    EXPECT_NE(index->body.find("<html"), std::string::npos);
    auto hello = one.roundtrip(get("/api/hello"));
    ASSERT_TRUE(hello);
    EXPECT_EQ(hello->body, R"({"message":"Hello, World!"})");

    // Pipelined: three requests in one send, three answers in order on the same connection.
    client piped(server.port());
    piped.send(get("/api/hello") + get("/style.css") + get("/debug/inline"));
    for (int status : {200, 200, 200}) {
        auto res = piped.read_response();
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, status);
    }

    // The worker pool, woken through the eventfd: several jobs side by side, then one each.
    std::vector<std::unique_ptr<client>> pooled;
    for (int i = 0; i < 8; ++i) {
        pooled.push_back(std::make_unique<client>(server.port()));
        pooled.back()->send(get("/debug/pooled"));
    }
    for (auto& p : pooled) {
        auto res = p->read_response();
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 200);
        auto again = p->roundtrip(get("/debug/pooled"));
        ASSERT_TRUE(again);
        EXPECT_EQ(again->status, 200);
    }

    // SIGQUIT drains: a request on the pool when the signal comes still gets its answer.
    client slow(server.port());
    slow.send(get("/debug/delay?ms=300"));
    client probe(server.port());
    ASSERT_TRUE(wait_until(
        patience,
        [&] {
            auto res = probe.roundtrip(get("/debug/running"));
            return res && res->body == "1\n";
        },
        "the delay runs on a worker"));
    server.signal(SIGQUIT);
    auto late = slow.read_response();
    ASSERT_TRUE(late);
    EXPECT_EQ(late->status, 200);
    EXPECT_EQ(server.wait_exit(patience), 0) << server.log();
}

INSTANTIATE_TEST_SUITE_P(masks, kernel_compat_mask, ::testing::ValuesIn(compat_cases),
                         [](const ::testing::TestParamInfo<compat_case>& info) {
                             std::string name = std::string("linux_") + info.param.mask;
                             for (char& ch : name)
                                 if (ch == '.') ch = '_';
                             return name;
                         });

TEST(kernel_compat, an_unknown_mask_stops_the_server_naming_the_accepted_values) {
    auto [status, output] = run_binary({"--listen", "127.0.0.1:0", "--root", RINGHTTPD_STATIC_DIR},
                                       std::chrono::seconds(10), with_mask("6.2"));
    EXPECT_EQ(status, 1) << output;
    EXPECT_NE(output.find("RINGHTTPD_KERNEL_COMPAT=6.2"), std::string::npos) << output;
    EXPECT_NE(output.find("5.19, 6.0, 6.1, 6.5, 6.12"), std::string::npos) << output;
}

TEST(kernel_compat, msg_ring_wake_asked_for_under_an_older_mask_is_refused) {
    auto [status, output] = run_binary(
        {"--listen", "127.0.0.1:0", "--root", RINGHTTPD_STATIC_DIR, "--worker-wake", "msg-ring"},
        std::chrono::seconds(10), with_mask("6.12"));
    EXPECT_EQ(status, 1) << output;
    EXPECT_NE(output.find("RINGHTTPD_KERNEL_COMPAT=6.12 hides it"), std::string::npos) << output;
}
