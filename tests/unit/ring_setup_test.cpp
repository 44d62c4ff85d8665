#include "io/ring_setup.hpp"

#include <gtest/gtest.h>

#include <cerrno>

using namespace ringhttpd::io;

TEST(ring_setup, unavailable_messages_name_the_cause_and_the_fix) {
    std::string eperm = io_uring_unavailable_message(EPERM, 0);
    EXPECT_NE(eperm.find("seccomp"), std::string::npos);
    EXPECT_NE(eperm.find("kernel.io_uring_disabled"), std::string::npos);
    std::string enosys = io_uring_unavailable_message(ENOSYS, -1);
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

TEST(ring_setup, a_set_io_uring_disabled_sysctl_is_named_as_the_cause) {
    const std::string everyone = io_uring_unavailable_message(EPERM, 2);
    EXPECT_NE(everyone.find("kernel.io_uring_disabled is 2"), std::string::npos) << everyone;
    EXPECT_NE(everyone.find("sysctl -w kernel.io_uring_disabled=0"), std::string::npos);
    EXPECT_EQ(everyone.find("seccomp"), std::string::npos) << everyone;
    const std::string unprivileged = io_uring_unavailable_message(EPERM, 1);
    EXPECT_NE(unprivileged.find("kernel.io_uring_disabled is 1"), std::string::npos);
    EXPECT_NE(unprivileged.find("kernel.io_uring_group"), std::string::npos) << unprivileged;
    // This host's value is read as a number, or -1 before Linux 6.6.
    EXPECT_GE(io_uring_disabled_sysctl(), -1);
    EXPECT_LE(io_uring_disabled_sysctl(), 2);
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
