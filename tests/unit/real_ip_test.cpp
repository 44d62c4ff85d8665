// Who the client is behind a trusted proxy.

#include "http/real_ip.hpp"

#include <gtest/gtest.h>

using namespace ringhttpd;
using namespace ringhttpd::http;

namespace {

io::client_address ip(std::string_view text) {
    return *io::client_address::parse(text);
}

real_ip_rule trusting(std::initializer_list<std::string_view> ranges,
                      real_ip_header header = real_ip_header::x_forwarded_for) {
    real_ip_rule rule;
    for (auto r : ranges) rule.trusted.push_back(*address_range::parse(r));
    rule.header = header;
    return rule;
}

request with_headers(std::initializer_list<std::pair<std::string, std::string>> headers) {
    request r;
    for (const auto& h : headers) r.headers.push_back(h);
    return r;
}

}  // namespace

TEST(real_ip, ranges_parse_and_contain) {
    auto ten = address_range::parse("10.0.0.0/8");
    ASSERT_TRUE(ten);
    EXPECT_TRUE(ten->contains(ip("10.200.3.4")));
    EXPECT_FALSE(ten->contains(ip("11.0.0.1")));
    auto one = address_range::parse("192.0.2.7");
    ASSERT_TRUE(one);
    EXPECT_TRUE(one->contains(ip("192.0.2.7")));
    EXPECT_FALSE(one->contains(ip("192.0.2.8")));
    auto v6 = address_range::parse("2001:db8::/33");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->contains(ip("2001:db8:7fff::1")));
    EXPECT_FALSE(v6->contains(ip("2001:db8:8000::1")));
    EXPECT_TRUE(address_range::parse("0.0.0.0/0")->contains(ip("203.0.113.9")));
    for (auto bad :
         {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "::1/129", "example.com", "1.2.3.4/x"})
        EXPECT_FALSE(address_range::parse(bad)) << bad;
}

TEST(real_ip, x_forwarded_for_is_walked_from_the_right_past_trusted_proxies) {
    auto rule = trusting({"10.0.0.0/8", "127.0.0.1"});
    auto req = with_headers({{"X-Forwarded-For", "203.0.113.9, 198.51.100.1, 10.0.0.2"}});
    EXPECT_EQ(rule.client_of(ip("127.0.0.1"), req),
              ip("198.51.100.1"));  // forged left part ignored
    // Two header lines are one list.
    auto two = with_headers({{"x-forwarded-for", "203.0.113.9"}, {"X-Forwarded-For", "10.1.1.1"}});
    EXPECT_EQ(rule.client_of(ip("127.0.0.1"), two), ip("203.0.113.9"));
    // Every hop trusted: the leftmost is the client.
    auto inside = with_headers({{"X-Forwarded-For", "10.9.9.9, 10.0.0.2"}});
    EXPECT_EQ(rule.client_of(ip("127.0.0.1"), inside), ip("10.9.9.9"));
    // Garbage stops the walk at the last address read.
    auto junk = with_headers({{"X-Forwarded-For", "nonsense, 10.0.0.3"}});
    EXPECT_EQ(rule.client_of(ip("127.0.0.1"), junk), ip("10.0.0.3"));
}

TEST(real_ip, untrusted_peers_and_missing_headers_leave_the_peer) {
    auto rule = trusting({"127.0.0.1"});
    auto req = with_headers({{"X-Forwarded-For", "203.0.113.9"}});
    EXPECT_EQ(rule.client_of(ip("127.0.0.2"), req), ip("127.0.0.2"));
    EXPECT_EQ(rule.client_of(ip("127.0.0.1"), with_headers({})), ip("127.0.0.1"));
    EXPECT_EQ(real_ip_rule{}.client_of(ip("127.0.0.1"), req), ip("127.0.0.1"));  // no proxies
}

TEST(real_ip, x_real_ip_names_one_address) {
    auto rule = trusting({"127.0.0.1"}, real_ip_header::x_real_ip);
    EXPECT_EQ(rule.client_of(ip("127.0.0.1"), with_headers({{"X-Real-IP", " 203.0.113.9 "}})),
              ip("203.0.113.9"));
    EXPECT_EQ(rule.client_of(ip("127.0.0.1"), with_headers({{"X-Real-IP", "junk"}})),
              ip("127.0.0.1"));
    EXPECT_EQ(rule.client_of(ip("127.0.0.1"), with_headers({{"X-Forwarded-For", "203.0.113.9"}})),
              ip("127.0.0.1"));  // the other header is not read
}
