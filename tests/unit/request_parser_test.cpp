#include "http/request_parser.hpp"

#include <gtest/gtest.h>

using namespace ringhttpd::http;
using result = request_parser::result;

namespace {

// Feeds `raw` in pieces of `step` bytes; returns the last result and the consumed total.
result feed_in_steps(request_parser& p, const std::string& raw, size_t step, size_t& total) {
    total = 0;
    result r = result::need_more;
    for (size_t pos = 0; pos < raw.size();) {
        size_t n = std::min(step, raw.size() - pos), used = 0;
        r = p.feed(std::string_view(raw).substr(pos, n), used);
        total += used;
        if (r != result::need_more) return r;
        pos += n;
    }
    return r;
}

}  // namespace

TEST(request_parser, parses_a_request_split_at_every_byte) {
    const std::string raw =
        "POST /api/echo?x=1 HTTP/1.1\r\nHost: a\r\nX-Multi: one\r\nContent-Length: 5\r\n\r\nhello";
    for (size_t step : {size_t(1), size_t(2), size_t(7), raw.size()}) {
        request_parser p({});
        size_t total = 0;
        ASSERT_EQ(feed_in_steps(p, raw, step, total), result::request_ready) << step;
        EXPECT_EQ(total, raw.size());
        const auto& req = p.current();
        EXPECT_EQ(req.method, "POST");
        EXPECT_EQ(req.target, "/api/echo?x=1");
        EXPECT_EQ(req.path, "/api/echo");
        EXPECT_EQ(req.query, "x=1");
        EXPECT_EQ(req.version_minor, 1);
        EXPECT_EQ(req.header("host"), "a");
        EXPECT_EQ(req.header("X-MULTI"), "one");
        EXPECT_EQ(req.body, "hello");
        EXPECT_TRUE(p.keep_alive());
    }
}

TEST(request_parser, stops_after_each_pipelined_request) {
    request_parser p({});
    std::string two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
    size_t used = 0;
    ASSERT_EQ(p.feed(two, used), result::request_ready);
    EXPECT_EQ(p.current().path, "/a");
    EXPECT_EQ(used, two.size() / 2);
    p.next();
    size_t used2 = 0;
    ASSERT_EQ(p.feed(std::string_view(two).substr(used), used2), result::request_ready);
    EXPECT_EQ(p.current().path, "/b");
    EXPECT_EQ(used + used2, two.size());
}

TEST(request_parser, decodes_chunked_bodies) {
    request_parser p({});
    size_t used = 0;
    ASSERT_EQ(p.feed("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                     "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                     used),
              result::request_ready);
    EXPECT_EQ(p.current().body, "abcde");
}

TEST(request_parser, keep_alive_follows_version_and_connection_header) {
    auto keep = [](const std::string& raw) {
        request_parser p({});
        size_t used = 0;
        EXPECT_EQ(p.feed(raw, used), result::request_ready) << raw;
        return p.keep_alive();
    };
    EXPECT_TRUE(keep("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    EXPECT_FALSE(keep("GET / HTTP/1.0\r\n\r\n"));
    EXPECT_TRUE(keep("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
}

TEST(request_parser, reports_expect_continue_only_with_a_body) {
    request_parser p({});
    size_t used = 0;
    EXPECT_EQ(
        p.feed("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
               used),
        result::need_more);
    EXPECT_TRUE(p.expects_continue());
    request_parser q({});
    EXPECT_EQ(q.feed("GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n", used),
              result::request_ready);
}

TEST(request_parser, error_statuses) {
    auto status = [](const std::string& raw, parser_limits limits = {}) {
        request_parser p(limits);
        size_t used = 0;
        EXPECT_EQ(p.feed(raw, used), result::error) << raw;
        return p.error_status();
    };
    EXPECT_EQ(status("BLAH\r\n\r\n"), 400);
    EXPECT_EQ(status("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
              400);
    EXPECT_EQ(
        status(
            "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"),
        400);
    EXPECT_EQ(status("GET / HTTP/2.0\r\n\r\n"), 505);
    EXPECT_EQ(status("GET / HTTP/1.7\r\n\r\n"), 505);
    EXPECT_EQ(status("GET / HTTP/one\r\n\r\n"), 400);
    parser_limits small;
    small.max_request_line = 10;
    small.max_header_size = 64;
    small.max_body_size = 4;
    EXPECT_EQ(status("GET /0123456789 HTTP/1.1\r\nHost: x\r\n\r\n", small), 414);
    EXPECT_EQ(status("GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(80, 'a') + "\r\n\r\n", small),
              431);
    EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", small), 413);
    EXPECT_EQ(
        status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n",
               small),
        413);
}

TEST(request_parser, an_error_is_sticky) {
    request_parser p({});
    size_t used = 0;
    EXPECT_EQ(p.feed("BLAH\r\n\r\n", used), result::error);
    EXPECT_EQ(p.feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n", used), result::error);
}

TEST(request_parser, tracks_whether_a_message_is_in_progress) {
    request_parser p({});
    size_t used = 0;
    EXPECT_FALSE(p.in_message());
    EXPECT_EQ(p.feed("GET / HT", used), result::need_more);
    EXPECT_TRUE(p.in_message());
    EXPECT_EQ(p.feed("TP/1.1\r\nHost: x\r\n\r\n", used), result::request_ready);
    EXPECT_FALSE(p.in_message());
}

TEST(request_parser, host_connect_and_asterisk_rules) {
    auto outcome = [](const std::string& raw) {
        request_parser p({});
        size_t used = 0;
        auto r = p.feed(raw, used);
        return r == result::error ? p.error_status() : r == result::request_ready ? 200 : 0;
    };
    EXPECT_EQ(outcome("GET / HTTP/1.1\r\n\r\n"), 400);                        // no Host
    EXPECT_EQ(outcome("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"), 400);  // two
    EXPECT_EQ(outcome("GET / HTTP/1.0\r\n\r\n"), 200);
    EXPECT_EQ(outcome("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n"), 501);
    EXPECT_EQ(outcome("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), 200);
    EXPECT_EQ(outcome("GET * HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
}

TEST(request_parser, obsolete_line_folding_is_rejected_wherever_the_bytes_split) {
    const std::string raw = "GET / HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n";
    for (size_t step : {size_t(1), size_t(3), raw.size()}) {
        request_parser p({});
        size_t total = 0;
        EXPECT_EQ(feed_in_steps(p, raw, step, total), result::error) << step;
        EXPECT_EQ(p.error_status(), 400) << step;
    }
    const std::string empty_value = "GET / HTTP/1.1\r\nX-Empty:\r\nX-Blank: \r\nHost: x\r\n\r\n";
    for (size_t step : {size_t(1), size_t(2), empty_value.size()}) {
        request_parser p({});
        size_t total = 0;
        EXPECT_EQ(feed_in_steps(p, empty_value, step, total), result::request_ready) << step;
    }
}

TEST(request_parser, transfer_codings_other_than_chunked_are_not_implemented) {
    request_parser p({});
    size_t used = 0;
    EXPECT_EQ(
        p.feed("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", used),
        result::error);
    EXPECT_EQ(p.error_status(), 501);
    request_parser q({});
    EXPECT_EQ(q.feed("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", used),
              result::error);
    EXPECT_EQ(q.error_status(), 400);
    request_parser ok({});
    EXPECT_EQ(
        ok.feed("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", used),
        result::request_ready);
}
