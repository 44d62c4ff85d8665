#include "app/did_you_mean.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

using ringhttpd::app::closest_name;

TEST(did_you_mean, suggests_the_closest_name_within_a_typo) {
    const std::vector<std::string_view> names = {"--gzip", "--root", "--threads", "--workers",
                                                 "--send-timeout"};
    EXPECT_EQ(closest_name("--thread", names), "--threads");   // a letter missing
    EXPECT_EQ(closest_name("--wrokers", names), "--workers");  // two swapped
    EXPECT_EQ(closest_name("--sendtimeout", names), "--send-timeout");
    EXPECT_EQ(closest_name("--gzip", names), "--gzip");
    EXPECT_EQ(closest_name("--compress", names), "");  // no name is near: no guess
    EXPECT_EQ(closest_name("", names), "");
    EXPECT_EQ(closest_name("--root", {}), "");
}
