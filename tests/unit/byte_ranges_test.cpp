#include "handlers/byte_ranges.hpp"

#include <gtest/gtest.h>

using namespace ringhttpd::handlers;
using kind = range_request::kind;

namespace {

std::vector<std::pair<uint64_t, uint64_t>> spans(const range_request& r) {
    std::vector<std::pair<uint64_t, uint64_t>> out;
    for (const auto& b : r.ranges) out.emplace_back(b.first, b.last);
    return out;
}

}  // namespace

TEST(byte_ranges, single_ranges_of_every_form) {
    EXPECT_EQ(spans(parse_range("bytes=0-99", 1000)), (decltype(spans({})){{0, 99}}));
    EXPECT_EQ(spans(parse_range("bytes=500-", 1000)), (decltype(spans({})){{500, 999}}));
    EXPECT_EQ(spans(parse_range("bytes=-200", 1000)), (decltype(spans({})){{800, 999}}));
    EXPECT_EQ(spans(parse_range("bytes=-2000", 1000)), (decltype(spans({})){{0, 999}}));
    EXPECT_EQ(spans(parse_range("bytes=990-5000", 1000)), (decltype(spans({})){{990, 999}}));
    EXPECT_EQ(spans(parse_range("Bytes = 1-1 ", 1000)), (decltype(spans({})){{1, 1}}));
    EXPECT_EQ(parse_range("bytes=0-0", 1).result, kind::satisfiable);
}

TEST(byte_ranges, several_ranges_keep_their_order_unless_they_overlap) {
    EXPECT_EQ(spans(parse_range("bytes=10-19, 0-4", 100)), (decltype(spans({})){{10, 19}, {0, 4}}));
    EXPECT_EQ(spans(parse_range("bytes=0-10,5-20,40-", 50)),
              (decltype(spans({})){{0, 20}, {40, 49}}));
    EXPECT_EQ(spans(parse_range("bytes=0-1,,2-3", 50)), (decltype(spans({})){{0, 1}, {2, 3}}));
}

TEST(byte_ranges, unsatisfiable_when_no_range_overlaps_the_file) {
    EXPECT_EQ(parse_range("bytes=1000-", 1000).result, kind::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=1000-2000, 3000-", 1000).result, kind::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=-0", 1000).result, kind::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=0-", 0).result, kind::unsatisfiable);
    // One satisfiable range among unsatisfiable ones is enough.
    EXPECT_EQ(spans(parse_range("bytes=2000-3000, 5-6", 1000)), (decltype(spans({})){{5, 6}}));
}

TEST(byte_ranges, malformed_headers_and_other_units_are_ignored) {
    for (const char* bad :
         {"bytes=", "bytes=abc", "bytes=5-1", "bytes=1-2-3", "bytes 0-1", "items=0-1", "bytes=--1",
          "bytes=0x1-2", "bytes=-", "bytes=1-x", "bytes=, ,", "bytes=18446744073709551616-"})
        EXPECT_EQ(parse_range(bad, 1000).result, kind::ignore) << bad;
}

TEST(byte_ranges, too_many_ranges_are_ignored) {
    std::string many = "bytes=";
    for (int i = 0; i < 100; ++i)
        many += std::to_string(i * 10) + "-" + std::to_string(i * 10 + 1) + ",";
    EXPECT_EQ(parse_range(many, 10000).result, kind::ignore);
}
