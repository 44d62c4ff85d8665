#include "app/api.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace ringhttpd::app;

TEST(api, iso8601_includes_milliseconds_and_offset) {
    setenv("TZ", "UTC", 1);
    tzset();
    EXPECT_EQ(iso8601_local(784111777, 5), "1994-11-06T08:49:37.005+00:00");
    setenv("TZ", "Asia/Kolkata", 1);
    tzset();
    EXPECT_EQ(iso8601_local(784111777, 999), "1994-11-06T14:19:37.999+05:30");
    setenv("TZ", "America/New_York", 1);
    tzset();
    EXPECT_EQ(iso8601_local(784111777, 0), "1994-11-06T03:49:37.000-05:00");
    unsetenv("TZ");
    tzset();
}

TEST(api, nesting_depth_ignores_brackets_inside_strings) {
    EXPECT_EQ(json_nesting_depth("[[{}]]"), 3u);
    EXPECT_EQ(json_nesting_depth(R"(["[[[[", "\"[["])"), 1u);
    EXPECT_EQ(json_nesting_depth("plain"), 0u);
}

TEST(api, echo_json_wraps_json_and_strings) {
    EXPECT_EQ(echo_json(R"({"a":1})"), R"({"echo":{"a":1}})");
    EXPECT_EQ(echo_json("12"), R"({"echo":12})");
    EXPECT_EQ(echo_json("hi\n"), R"({"echo":"hi\n"})");
    EXPECT_EQ(echo_json(std::string(300, '[') + std::string(300, ']')),
              "{\"echo\":\"" + std::string(300, '[') + std::string(300, ']') + "\"}");
}
