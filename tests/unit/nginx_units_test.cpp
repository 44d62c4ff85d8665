#include "app/nginx_units.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace ringhttpd::app;

TEST(nginx_units, sizes_and_durations_use_nginx_syntax) {
    EXPECT_EQ(parse_size("512"), 512u);
    EXPECT_EQ(parse_size("8k"), 8192u);
    EXPECT_EQ(parse_size("1M"), 1048576u);
    EXPECT_EQ(parse_size("2g"), 2147483648u);
    EXPECT_EQ(parse_duration_ms("30s"), 30000u);
    EXPECT_EQ(parse_duration_ms("30"), 30000u);
    EXPECT_EQ(parse_duration_ms("250ms"), 250u);
    EXPECT_EQ(parse_duration_ms("2m"), 120000u);
    EXPECT_EQ(parse_duration_ms("1h"), 3600000u);
    EXPECT_THROW(parse_size("99999999999999999999k"), std::invalid_argument);
    EXPECT_THROW(parse_duration_ms("soon"), std::invalid_argument);
}

TEST(nginx_units, rejects_what_nginx_would) {
    for (const char* bad : {"", "k", "1x", "-1", "1.5m", " 1", "1kb"})
        EXPECT_THROW(parse_size(bad), std::invalid_argument) << bad;
    for (const char* bad : {"", "s", "ms", "1d", "1.5s", "-1s", "18446744073709551615h"})
        EXPECT_THROW(parse_duration_ms(bad), std::invalid_argument) << bad;
    for (const char* bad : {"", "1k", "+1", "18446744073709551616"})
        EXPECT_THROW(parse_count(bad), std::invalid_argument) << bad;
    EXPECT_EQ(parse_count("18446744073709551615"), UINT64_MAX);
}

TEST(nginx_units, errors_show_the_text_and_the_syntax) {
    try {
        parse_size("1x");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(),
                     "invalid size '1x': expected digits with an optional k, m or g, as in 512, 8k "
                     "or 1m");
    }
}

TEST(nginx_units, formats_with_the_largest_unit_that_divides) {
    EXPECT_EQ(format_size(0), "0");
    EXPECT_EQ(format_size(512), "512");
    EXPECT_EQ(format_size(1536), "1536");
    EXPECT_EQ(format_size(8192), "8k");
    EXPECT_EQ(format_size(1024 * 1024), "1m");
    EXPECT_EQ(format_size(3ull << 30), "3g");
    EXPECT_EQ(format_duration_ms(0), "0");
    EXPECT_EQ(format_duration_ms(1), "1ms");
    EXPECT_EQ(format_duration_ms(1500), "1500ms");
    EXPECT_EQ(format_duration_ms(60'000), "60s");  // not "1m": that reads as a megabyte
    EXPECT_EQ(format_duration_ms(75'000), "75s");
    EXPECT_EQ(format_duration_ms(86'400'000), "24h");
    EXPECT_EQ(format_count(1024), "1024");
}

TEST(nginx_units, what_is_formatted_parses_back) {
    for (uint64_t n : {0ull, 1ull, 1000ull, 4096ull, 1ull << 20, 5ull << 30, 123456789ull}) {
        EXPECT_EQ(parse_size(format_size(n)), n);
        EXPECT_EQ(parse_duration_ms(format_duration_ms(n)), n);
        EXPECT_EQ(parse_count(format_count(n)), n);
    }
}
