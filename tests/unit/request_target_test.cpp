#include "http/request_target.hpp"

#include <gtest/gtest.h>

using namespace ringhttpd::http;

TEST(request_target, origin_form_splits_path_and_query) {
    auto t = parse_request_target("/a/b?x=1&y=2");
    EXPECT_EQ(t.form, target_form::origin);
    EXPECT_EQ(t.path, "/a/b");
    EXPECT_EQ(t.query, "x=1&y=2");
    EXPECT_EQ(t.authority, "");
    t = parse_request_target("/only");
    EXPECT_EQ(t.path, "/only");
    EXPECT_EQ(t.query, "");
    EXPECT_EQ(parse_request_target("/?").query, "");
}

TEST(request_target, absolute_form_takes_its_authority_from_the_target) {
    auto t = parse_request_target("http://example.com:8080/x/y?q=1");
    EXPECT_EQ(t.form, target_form::absolute);
    EXPECT_EQ(t.authority, "example.com:8080");
    EXPECT_EQ(t.path, "/x/y");
    EXPECT_EQ(t.query, "q=1");
    t = parse_request_target("HTTPS://[::1]");
    EXPECT_EQ(t.form, target_form::absolute);
    EXPECT_EQ(t.authority, "[::1]");
    EXPECT_EQ(t.path, "/");  // an empty path is "/" for http(s)
    t = parse_request_target("http://example.com?q");
    EXPECT_EQ(t.path, "/");
    EXPECT_EQ(t.query, "q");
}

TEST(request_target, invalid_targets) {
    for (const char* target :
         {"", "a/b", "example.com:80", "http:/x", "http://", "http://:80/", "http://user@host/",
          "ftp://host/", "/a#frag", "http://a b/", "mailto:x@y", "*x"}) {
        EXPECT_EQ(parse_request_target(target).form, target_form::invalid) << target;
    }
    EXPECT_EQ(parse_request_target("*").form, target_form::asterisk);
    EXPECT_EQ(parse_request_target("*").path, "*");
}

TEST(request_target, valid_hosts) {
    for (const char* host : {"", "example.com", "example.com:8080", "a:", "127.0.0.1:80", "[::1]",
                             "[::1]:443", "[2001:db8::7]", "[v1.fe80::a+en1]", "xn--bcher-kva.ch",
                             "a%41b", "sub_domain.ex-ample.com", "!$&'()*+,;=", "EXAMPLE.COM"}) {
        EXPECT_TRUE(valid_host(host)) << host;
    }
}

TEST(request_target, invalid_hosts) {
    for (const char* host : {"bad host", "a:80x", "a:-1", "user@a", "a/b", "a?b", "a#b", "[::1",
                             "[::1]x", "[::1]:8x", "[not-v6]", "[v.x]", "[v1.]", "a%4", "a%zz",
                             "a\tb", "a:1:2", "\xc3\xa9.com", "[1.2.3.4]"}) {
        EXPECT_FALSE(valid_host(host)) << host;
    }
}
