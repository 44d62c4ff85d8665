#include "http/url.hpp"

#include <gtest/gtest.h>

using namespace ringhttpd::http;

TEST(percent_decode, decodes_escapes_in_either_case) {
    EXPECT_EQ(percent_decode("a%20b%2Fc%2fd"), "a b/c/d");
    EXPECT_EQ(percent_decode("%C3%B6"), "\xC3\xB6");
    EXPECT_EQ(percent_decode("plain"), "plain");
}

TEST(percent_decode, rejects_malformed_escapes) {
    EXPECT_EQ(percent_decode("%"), std::nullopt);
    EXPECT_EQ(percent_decode("%4"), std::nullopt);
    EXPECT_EQ(percent_decode("abc%zz"), std::nullopt);
    EXPECT_EQ(percent_decode("%%41"), std::nullopt);
}

TEST(percent_decode, plus_is_a_space_only_in_query_mode) {
    EXPECT_EQ(percent_decode("a+b"), "a+b");
    EXPECT_EQ(percent_decode("a+b", true), "a b");
    EXPECT_EQ(percent_decode("a%2Bb", true), "a+b");
}

TEST(percent_decode, keeps_nul_bytes_for_the_caller_to_reject) {
    auto out = percent_decode("a%00b");
    ASSERT_TRUE(out);
    EXPECT_EQ(*out, std::string("a\0b", 3));
}

TEST(percent_encode_path, leaves_unreserved_and_slashes) {
    EXPECT_EQ(percent_encode_path("/a b/\r\n\"<x>.txt"), "/a%20b/%0D%0A%22%3Cx%3E.txt");
    EXPECT_EQ(percent_encode_path("/A-z_0.9~/"), "/A-z_0.9~/");
}

TEST(find_query_param, finds_decodes_and_defaults) {
    EXPECT_EQ(find_query_param("name=J%C3%B6rg&x=1", "name"), "J\xC3\xB6rg");
    EXPECT_EQ(find_query_param("x=1&name=a+b", "name"), "a b");
    EXPECT_EQ(find_query_param("x=1", "name"), std::nullopt);
    EXPECT_EQ(find_query_param("name", "name"), "");
    EXPECT_EQ(find_query_param("name=1&name=2", "name"), "1");
    EXPECT_EQ(find_query_param("name=%zz", "name"), "%zz");  // malformed kept literally
    EXPECT_EQ(find_query_param("", "name"), std::nullopt);
}

TEST(normalize_path, resolves_dots_and_collapses_slashes) {
    EXPECT_EQ(normalize_path("/"), "");
    EXPECT_EQ(normalize_path("/a/./b//c"), "a/b/c");
    EXPECT_EQ(normalize_path("/a/b/../c"), "a/c");
    EXPECT_EQ(normalize_path("/a/b/"), "a/b/");
    EXPECT_EQ(normalize_path("/a/.."), "");
    EXPECT_EQ(normalize_path("/a/../"), "");
    EXPECT_EQ(normalize_path("/..."), "...");
}

TEST(normalize_path, keeps_a_normal_path_less_its_leading_slash) {
    EXPECT_EQ(normalize_path("/index.html"), "index.html");
    EXPECT_EQ(normalize_path("/a/b.c/d"), "a/b.c/d");
    EXPECT_EQ(normalize_path("/a./b"), "a./b");
    EXPECT_EQ(normalize_path("/dir/"), "dir/");
    EXPECT_EQ(normalize_path("/.well-known/x"), ".well-known/x");
    EXPECT_EQ(normalize_path("/a/.b"), "a/.b");
}

TEST(normalize_path, refuses_to_climb_above_the_root) {
    EXPECT_EQ(normalize_path("/.."), std::nullopt);
    EXPECT_EQ(normalize_path("/../etc/passwd"), std::nullopt);
    EXPECT_EQ(normalize_path("/a/../../b"), std::nullopt);
    EXPECT_EQ(normalize_path("/a/./../.."), std::nullopt);
}
