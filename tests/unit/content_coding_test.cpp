#include "handlers/content_coding.hpp"

#include <gtest/gtest.h>

using namespace ringhttpd::handlers;

namespace {

const available_codings both{true, true};

}  // namespace

TEST(content_coding, no_header_means_identity) {
    EXPECT_EQ(choose_coding(std::nullopt, both), coding::identity);
    EXPECT_EQ(choose_coding("", both), coding::identity);
}

TEST(content_coding, prefers_br_then_gzip_on_equal_quality) {
    EXPECT_EQ(choose_coding("gzip, deflate, br", both), coding::br);
    EXPECT_EQ(choose_coding("gzip, deflate, br", {false, true}), coding::gzip);
    EXPECT_EQ(choose_coding("gzip, deflate, br", {false, false}), coding::identity);
    EXPECT_EQ(choose_coding("x-gzip", both), coding::gzip);
    EXPECT_EQ(choose_coding("GZIP", both), coding::gzip);
}

TEST(content_coding, q_values_rank_and_zero_excludes) {
    EXPECT_EQ(choose_coding("br;q=0.5, gzip;q=0.8", both), coding::gzip);
    EXPECT_EQ(choose_coding("br;q=0, gzip", both), coding::gzip);
    EXPECT_EQ(choose_coding("gzip;q=0", both), coding::identity);
    EXPECT_EQ(choose_coding("gzip;q=0.5, identity;q=1", both), coding::identity);
    EXPECT_EQ(choose_coding("gzip ; q=0.5 , identity;q=0.1", both), coding::gzip);
    EXPECT_EQ(choose_coding("gzip;q=abc", both), coding::identity);  // malformed: not acceptable
}

TEST(content_coding, star_covers_codings_not_named) {
    EXPECT_EQ(choose_coding("*", both), coding::br);
    EXPECT_EQ(choose_coding("br;q=0, *", both), coding::gzip);
    EXPECT_EQ(choose_coding("*;q=0, gzip", both), coding::gzip);
    // identity excluded and nothing else on offer: nothing acceptable.
    EXPECT_EQ(choose_coding("identity;q=0", {false, false}), std::nullopt);
    EXPECT_EQ(choose_coding("*;q=0", {false, false}), std::nullopt);
    EXPECT_EQ(choose_coding("*;q=0, identity", {false, false}), coding::identity);
}
