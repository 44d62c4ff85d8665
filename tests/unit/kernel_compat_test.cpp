#include "io/kernel_compat.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <stdexcept>
#include <string>

#include "io/ring_setup.hpp"

using namespace ringhttpd::io;

TEST(kernel_compat, no_mask_allows_everything) {
    kernel_compat none;
    EXPECT_FALSE(none.masked());
    EXPECT_EQ(none.describe(), "off");
    for (auto f : {kernel_feature::single_issuer, kernel_feature::multishot_recv,
                   kernel_feature::send_zc, kernel_feature::defer_taskrun,
                   kernel_feature::cachestat, kernel_feature::ringless_msg_ring})
        EXPECT_TRUE(none.allows(f));
    EXPECT_FALSE(parse_kernel_compat("").masked());
}

TEST(kernel_compat, each_level_allows_what_its_kernel_has_and_nothing_newer) {
    const kernel_compat v5_19 = parse_kernel_compat("5.19");
    EXPECT_FALSE(v5_19.allows(kernel_feature::single_issuer));
    EXPECT_FALSE(v5_19.allows(kernel_feature::multishot_recv));
    EXPECT_FALSE(v5_19.allows(kernel_feature::send_zc));
    EXPECT_FALSE(v5_19.allows(kernel_feature::defer_taskrun));

    const kernel_compat v6_0 = parse_kernel_compat("6.0");
    EXPECT_TRUE(v6_0.allows(kernel_feature::single_issuer));
    EXPECT_TRUE(v6_0.allows(kernel_feature::multishot_recv));
    EXPECT_TRUE(v6_0.allows(kernel_feature::send_zc));
    EXPECT_FALSE(v6_0.allows(kernel_feature::defer_taskrun));

    const kernel_compat v6_1 = parse_kernel_compat("6.1");
    EXPECT_TRUE(v6_1.allows(kernel_feature::defer_taskrun));
    EXPECT_FALSE(v6_1.allows(kernel_feature::cachestat));

    const kernel_compat v6_5 = parse_kernel_compat("6.5");
    EXPECT_TRUE(v6_5.allows(kernel_feature::cachestat));
    EXPECT_FALSE(v6_5.allows(kernel_feature::ringless_msg_ring));

    const kernel_compat v6_12 = parse_kernel_compat("6.12");
    EXPECT_TRUE(v6_12.allows(kernel_feature::cachestat));
    EXPECT_FALSE(v6_12.allows(kernel_feature::ringless_msg_ring));
    EXPECT_EQ(v6_12.describe(), "6.12");
}

TEST(kernel_compat, an_unknown_value_names_the_accepted_ones) {
    for (const char* bad : {"6.2", "6", "6.01", "6.1.0", "5.10", "latest", " 6.1", "7.0"}) {
        try {
            parse_kernel_compat(bad);
            ADD_FAILURE() << bad << " was accepted";
        } catch (const std::invalid_argument& e) {
            const std::string message = e.what();
            EXPECT_NE(message.find(std::string("RINGHTTPD_KERNEL_COMPAT=") + bad),
                      std::string::npos)
                << message;
            EXPECT_NE(message.find("5.19, 6.0, 6.1, 6.5, 6.12"), std::string::npos) << message;
        }
    }
}

TEST(kernel_compat, the_environment_sets_the_mask) {
    const char* outer = ::getenv(kernel_compat_variable);  // put back afterwards
    const std::string saved = outer ? outer : "";
    ::setenv(kernel_compat_variable, "6.0", 1);
    EXPECT_EQ(kernel_compat_from_environment().describe(), "6.0");
    ::setenv(kernel_compat_variable, "nonsense", 1);
    EXPECT_THROW(kernel_compat_from_environment(), std::invalid_argument);
    ::unsetenv(kernel_compat_variable);
    EXPECT_FALSE(kernel_compat_from_environment().masked());
    if (outer) ::setenv(kernel_compat_variable, saved.c_str(), 1);
}

namespace {

bool kernel_has_every_feature() {
    io_uring ring{};
    const ring_info info = setup_ring(ring, 8);
    io_uring_queue_exit(&ring);
    return (info.flags & IORING_SETUP_DEFER_TASKRUN) && info.multishot_recv;
}

}  // namespace

// The decisions on a real ring: this kernel (6.18 in CI) has every feature, so what is missing
// under a mask was taken away by the mask.
TEST(kernel_compat, a_masked_ring_falls_back_as_an_older_kernel_would) {
    struct expectation {
        const char* level;
        unsigned flags;
        bool multishot_recv;
    };
    const unsigned common = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
    for (const expectation& e : {
             expectation{"5.19", common | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
                         false},
             expectation{"6.0", common | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN,
                         true},
             expectation{"6.1",
                         common | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
                             IORING_SETUP_COOP_TASKRUN,
                         true},
         }) {
        SCOPED_TRACE(e.level);
        if (!kernel_has_every_feature()) GTEST_SKIP() << "this kernel lacks DEFER_TASKRUN";
        io_uring ring{};
        const ring_info info = setup_ring(ring, 64, parse_kernel_compat(e.level));
        EXPECT_EQ(describe_flags(info.flags), describe_flags(e.flags));
        EXPECT_EQ(info.multishot_recv, e.multishot_recv);
        if (!e.multishot_recv) {
            EXPECT_FALSE(info.send_zc);
            EXPECT_NE(describe_features(info).find("oneshot_recv"), std::string::npos);
        }
        io_uring_queue_exit(&ring);
    }
}
