#include "handlers/validators.hpp"

#include <gtest/gtest.h>

#include "http/date_parse.hpp"

using namespace ringhttpd;
using namespace ringhttpd::handlers;

namespace {

request with(std::initializer_list<std::pair<std::string, std::string>> headers,
             http_method method = http_method::get) {
    request r;
    r.method = method;
    r.method_name = method_name(method);
    r.path = "/f";
    for (auto& h : headers) r.headers.emplace_back(h.first, h.second);
    return r;
}

const std::string etag = "\"5f5e100-400\"";
constexpr std::time_t modified = 100'000'000;  // Sat, 03 Mar 1973 09:46:40 GMT
const std::string modified_text = "Sat, 03 Mar 1973 09:46:40 GMT";

}  // namespace

TEST(http_dates, all_three_forms_parse_and_garbage_does_not) {
    EXPECT_EQ(http::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    EXPECT_EQ(http::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
    EXPECT_EQ(http::parse_http_date("Sun Nov  6 08:49:37 1994"), 784111777);
    EXPECT_EQ(http::parse_http_date(modified_text), modified);
    for (const char* bad : {"", "yesterday", "Sun, 06 Nov 1994 08:49:37", "06 Nov 1994"})
        EXPECT_FALSE(http::parse_http_date(bad)) << bad;
}

TEST(validators, etags_have_nginx_form_and_differ_per_coding) {
    struct stat st {};
    st.st_mtim.tv_sec = 0x5f5e100;
    st.st_size = 0x400;
    EXPECT_EQ(make_etag(st), etag);
    EXPECT_EQ(make_etag(st, "gzip"), "\"5f5e100-400-gzip\"");
}

TEST(validators, etag_lists_compare_weakly_or_strongly) {
    EXPECT_TRUE(etag_list_matches("*", etag, true));
    EXPECT_TRUE(etag_list_matches("\"a\", " + etag, etag, true));
    EXPECT_TRUE(etag_list_matches("W/" + etag, etag, true));
    EXPECT_FALSE(etag_list_matches("W/" + etag, etag, false));
    EXPECT_TRUE(etag_list_matches(etag, etag, false));
    EXPECT_FALSE(etag_list_matches("\"other\"", etag, true));
    EXPECT_TRUE(etag_list_matches("\"a,b\", " + etag, etag, true));  // commas inside quotes
}

TEST(validators, if_none_match_wins_over_if_modified_since) {
    EXPECT_EQ(evaluate_preconditions(with({{"If-None-Match", etag}}), etag, modified),
              precondition::not_modified);
    EXPECT_EQ(evaluate_preconditions(with({{"If-None-Match", "*"}}), etag, modified),
              precondition::not_modified);
    // A non-matching If-None-Match means "send it", whatever If-Modified-Since says.
    EXPECT_EQ(evaluate_preconditions(
                  with({{"If-None-Match", "\"x\""}, {"If-Modified-Since", modified_text}}), etag,
                  modified),
              precondition::proceed);
    EXPECT_EQ(
        evaluate_preconditions(with({{"If-None-Match", etag}}, http_method::post), etag, modified),
        precondition::failed);
}

TEST(validators, if_modified_since_compares_seconds_and_ignores_bad_dates) {
    EXPECT_EQ(evaluate_preconditions(with({{"If-Modified-Since", modified_text}}), etag, modified),
              precondition::not_modified);
    EXPECT_EQ(evaluate_preconditions(with({{"If-Modified-Since", "Sat, 03 Mar 1973 09:46:39 GMT"}}),
                                     etag, modified),
              precondition::proceed);
    EXPECT_EQ(evaluate_preconditions(with({{"If-Modified-Since", "not a date"}}), etag, modified),
              precondition::proceed);
}

TEST(validators, if_match_and_if_unmodified_since_fail_with_412) {
    EXPECT_EQ(evaluate_preconditions(with({{"If-Match", "\"x\""}}), etag, modified),
              precondition::failed);
    EXPECT_EQ(evaluate_preconditions(with({{"If-Match", "W/" + etag}}), etag, modified),
              precondition::failed);  // strong comparison
    EXPECT_EQ(evaluate_preconditions(with({{"If-Match", etag}}), etag, modified),
              precondition::proceed);
    EXPECT_EQ(evaluate_preconditions(
                  with({{"If-Unmodified-Since", "Sat, 03 Mar 1973 09:46:39 GMT"}}), etag, modified),
              precondition::failed);
    EXPECT_EQ(
        evaluate_preconditions(with({{"If-Unmodified-Since", modified_text}}), etag, modified),
        precondition::proceed);
    // If-Match present: If-Unmodified-Since is not looked at.
    EXPECT_EQ(
        evaluate_preconditions(
            with({{"If-Match", etag}, {"If-Unmodified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"}}),
            etag, modified),
        precondition::proceed);
}

TEST(validators, if_range_needs_a_strong_match_or_the_exact_date) {
    EXPECT_TRUE(if_range_allows(with({}), etag, modified));
    EXPECT_TRUE(if_range_allows(with({{"If-Range", etag}}), etag, modified));
    EXPECT_FALSE(if_range_allows(with({{"If-Range", "W/" + etag}}), etag, modified));
    EXPECT_FALSE(if_range_allows(with({{"If-Range", "\"old\""}}), etag, modified));
    EXPECT_TRUE(if_range_allows(with({{"If-Range", modified_text}}), etag, modified));
    EXPECT_FALSE(
        if_range_allows(with({{"If-Range", "Sun, 06 Nov 1994 08:49:37 GMT"}}), etag, modified));
}

TEST(validators, a_handler_answer_meets_if_match_and_if_none_match_by_its_etag) {
    auto answer = [](const char* etag) {
        response res = response::text(200, "body");
        res.headers.emplace_back("Cache-Control", "max-age=60");
        if (etag) res.headers.emplace_back("ETag", etag);
        return res;
    };
    // If-None-Match: a weak match gives 304 with the 200's headers and no body.
    response res = apply_etag_preconditions(answer("\"v1\""), std::nullopt, "W/\"v1\"");
    EXPECT_EQ(res.status, 304);
    EXPECT_EQ(res.body_text(), "");
    EXPECT_EQ(res.content_type, "");
    EXPECT_EQ(res.headers.size(), 2u);
    EXPECT_EQ(apply_etag_preconditions(answer("\"v1\""), std::nullopt, "\"v2\"").status, 200);
    EXPECT_EQ(apply_etag_preconditions(answer(nullptr), std::nullopt, "*").status, 304);
    EXPECT_EQ(apply_etag_preconditions(answer(nullptr), std::nullopt, "\"v1\"").status, 200);
    // If-Match: strong comparison; no ETag fails any list of tags, but not "*".
    EXPECT_EQ(apply_etag_preconditions(answer("\"v1\""), "\"v1\"", std::nullopt).status, 200);
    EXPECT_EQ(apply_etag_preconditions(answer("W/\"v1\""), "W/\"v1\"", std::nullopt).status, 412);
    EXPECT_EQ(apply_etag_preconditions(answer(nullptr), "\"v1\"", std::nullopt).status, 412);
    EXPECT_EQ(apply_etag_preconditions(answer(nullptr), "*", std::nullopt).status, 200);
    // If-Match is evaluated first; other statuses pass untouched.
    EXPECT_EQ(apply_etag_preconditions(answer("\"v1\""), "\"v2\"", "\"v1\"").status, 412);
    response missing = response::error(404);
    EXPECT_EQ(apply_etag_preconditions(missing, "\"v1\"", "*").status, 404);
}
