#include "io/ring_setup.hpp"

#include <gtest/gtest.h>

#include <cerrno>

using namespace ringhttpd::io;

TEST(ring_setup, unavailable_messages_name_the_cause_and_the_fix) {
    std::string eperm = io_uring_unavailable_message(EPERM);
    EXPECT_NE(eperm.find("seccomp"), std::string::npos);
    EXPECT_NE(eperm.find("kernel.io_uring_disabled"), std::string::npos);
    std::string enosys = io_uring_unavailable_message(ENOSYS);
    EXPECT_NE(enosys.find("gVisor"), std::string::npos);
    EXPECT_NE(enosys.find("5.19"), std::string::npos);
    // EPERM is Docker's default seccomp profile, ENOSYS podman's: both name the flag that
    // fixes it, for both engines, and neither suggests turning seccomp off.
    for (const std::string& msg : {eperm, enosys}) {
        EXPECT_NE(msg.find("docker run --security-opt seccomp=docker/seccomp.json"),
                  std::string::npos)
            << msg;
        EXPECT_NE(msg.find("podman run takes the same --security-opt seccomp=docker/seccomp.json"),
                  std::string::npos)
            << msg;
        EXPECT_NE(msg.find("SystemCallFilter="), std::string::npos) << msg;
        EXPECT_EQ(msg.find("unconfined"), std::string::npos) << msg;
    }
}

TEST(ring_setup, this_kernel_gives_a_ring_with_the_best_flags_it_supports) {
    io_uring ring{};
    ring_info info = setup_ring(ring, 64);
    EXPECT_TRUE(info.flags & IORING_SETUP_CQSIZE);
    EXPECT_FALSE(describe_flags(info.flags).empty());
    EXPECT_NE(describe_features(info).find("recv"), std::string::npos);
    io_uring_queue_exit(&ring);
}

TEST(ring_setup, flags_are_described_by_name) {
    EXPECT_EQ(describe_flags(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN),
              "SINGLE_ISSUER|DEFER_TASKRUN");
    EXPECT_EQ(describe_flags(0), "none");
}
