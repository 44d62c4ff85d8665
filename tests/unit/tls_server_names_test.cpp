#include <gtest/gtest.h>

#include "tls/server_names.hpp"

using ringhttpd::tls::server_names;

TEST(tls_server_names, exact_names_before_wildcards_and_the_longest_wildcard_wins) {
    server_names names;
    names.add("example.com", 1);
    names.add("*.example.com", 2);
    names.add("*.api.example.com", 3);
    names.add("api.example.com", 4);
    EXPECT_EQ(names.find("example.com"), 1u);
    EXPECT_EQ(names.find("www.example.com"), 2u);
    EXPECT_EQ(names.find("v1.api.example.com"), 3u);
    EXPECT_EQ(names.find("api.example.com"), 4u);
}

TEST(tls_server_names, case_and_a_trailing_dot_do_not_matter) {
    server_names names;
    names.add("example.com", 1);
    names.add("*.example.org", 2);
    EXPECT_EQ(names.find("EXAMPLE.com."), 1u);
    EXPECT_EQ(names.find("WWW.Example.Org"), 2u);
}

TEST(tls_server_names, unknown_names_and_the_bare_wildcard_domain_find_nothing) {
    server_names names;
    names.add("*.example.com", 1);
    EXPECT_EQ(names.find("example.com"), std::nullopt);  // as nginx: *.x does not match x
    EXPECT_EQ(names.find("badexample.com"), std::nullopt);
    EXPECT_EQ(names.find(""), std::nullopt);
}

TEST(tls_server_names, the_first_certificate_for_a_name_keeps_it) {
    server_names names;
    names.add("example.com", 1);
    names.add("example.com", 2);
    EXPECT_EQ(names.find("example.com"), 1u);
}
