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
        EXPECT_EQ(req.method, ringhttpd::http_method::post);
        EXPECT_EQ(req.method_name, "POST");
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
    EXPECT_EQ(status("GET / HTTP/0.9\r\n\r\n"), 505);
    EXPECT_EQ(status("GET /\r\nHost: x\r\n\r\n"), 400);  // HTTP/0.9's request line
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

namespace {

// The status a request gets: 200 when it parses, the error status otherwise, 0 if incomplete.
// Fed whole, then one byte at a time: the verdict must not depend on how the bytes arrive.
int verdict(const std::string& raw) {
    int whole = 0;
    for (size_t step : {raw.size(), size_t(1)}) {
        request_parser p({});
        size_t total = 0;
        const result r = feed_in_steps(p, raw, step, total);
        const int status = r == result::error           ? p.error_status()
                           : r == result::request_ready ? 200
                                                        : 0;
        if (step == raw.size()) {
            whole = status;
        } else {
            EXPECT_EQ(status, whole) << "fed byte by byte: " << raw;
        }
    }
    return whole;
}

}  // namespace

TEST(request_parser, the_request_line_has_exactly_one_space_between_its_parts) {
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    EXPECT_EQ(verdict("GET  / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET /  HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET / HTTP/1.1 \r\nHost: x\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    EXPECT_EQ(verdict(" GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    // A pipelined second request is checked from its own start.
    request_parser p({});
    std::string two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET  /b HTTP/1.1\r\nHost: x\r\n\r\n";
    size_t used = 0;
    ASSERT_EQ(p.feed(two, used), result::request_ready);
    p.next();
    size_t used2 = 0;
    EXPECT_EQ(p.feed(std::string_view(two).substr(used), used2), result::error);
    EXPECT_EQ(p.error_status(), 400);
}

TEST(request_parser, versions_no_version_and_higher_minor_versions) {
    EXPECT_EQ(verdict("GET /\r\nHost: x\r\n\r\n"), 400);           // HTTP/0.9 request line
    EXPECT_EQ(verdict("GET / HTTP/0.9\r\nHost: x\r\n\r\n"), 505);  // well-formed, unsupported
    EXPECT_EQ(verdict("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
    EXPECT_EQ(verdict("GET / HTTP/3.1\r\nHost: x\r\n\r\n"), 505);
    EXPECT_EQ(verdict("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 505);  // HTTP/2 prior knowledge
    EXPECT_EQ(verdict("GET / HTTP/1.10\r\nHost: x\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET / http/1.1\r\nHost: x\r\n\r\n"), 400);  // the name is case-sensitive
    EXPECT_EQ(verdict("GET / RTSP/1.1\r\nHost: x\r\n\r\n"), 400);  // llhttp knows RTSP too
    EXPECT_EQ(verdict("OPTIONS * RTSP/1.0\r\nHost: x\r\n\r\n"), 400);
    EXPECT_EQ(verdict("SOURCE / ICE/1.0\r\nHost: x\r\n\r\n"), 400);
    request_parser p({});
    size_t used = 0;
    ASSERT_EQ(p.feed("GET / HTTP/1.2\r\nHost: x\r\n\r\n", used), result::request_ready);
    EXPECT_EQ(p.current().version_minor, 1);  // handled as HTTP/1.1 (RFC 9110 §2.5)
    EXPECT_TRUE(p.keep_alive());
}

TEST(request_parser, a_bare_cr_anywhere_in_the_head_or_chunk_framing_is_rejected) {
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: a\r\n\rX: y\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET / HTTP/1.1\rHost: a\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: a\r\nX:\rY: z\r\n\r\n"), 400);
    const std::string chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    EXPECT_EQ(verdict(chunked + "3\rabc\r\n0\r\n\r\n"), 400);
    EXPECT_EQ(verdict(chunked + "3\r\nabcXY0\r\n\r\n"), 400);  // chunk data must end in CRLF
    EXPECT_EQ(verdict(chunked + "3\r\nabc\r\n0\r\n\r\r"), 400);
}

TEST(request_parser, host_must_be_valid_and_an_absolute_target_wins_over_it) {
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: bad host\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET / HTTP/1.0\r\nHost: a/b\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET http://a/ HTTP/1.1\r\nHost: bad host\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: \r\n\r\n"), 200);  // empty authority
    request_parser p({});
    size_t used = 0;
    ASSERT_EQ(p.feed("GET http://target.example:8080/p?q HTTP/1.1\r\nHost: other\r\n\r\n", used),
              result::request_ready);
    EXPECT_EQ(p.current().host, "target.example:8080");
    EXPECT_EQ(p.current().path, "/p");
    EXPECT_EQ(p.current().query, "q");
    p.next();
    ASSERT_EQ(p.feed("GET /x HTTP/1.1\r\nHost:  [::1]:80 \r\n\r\n", used), result::request_ready);
    EXPECT_EQ(p.current().host, "[::1]:80");
}

TEST(request_parser, http10_with_transfer_encoding_has_faulty_framing) {
    EXPECT_EQ(verdict("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400);
    EXPECT_EQ(verdict("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n"), 400);
    EXPECT_EQ(verdict("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"),
              400);
}

TEST(request_parser, trailer_fields_are_not_merged_into_the_headers) {
    request_parser p({});
    size_t used = 0;
    ASSERT_EQ(p.feed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n0\r\nX-Trailer: t\r\nHost: evil\r\n\r\n",
                     used),
              result::request_ready);
    EXPECT_EQ(p.current().body, "abc");
    EXPECT_FALSE(p.current().header("X-Trailer"));
    EXPECT_EQ(p.current().host, "a");
    EXPECT_EQ(p.current().headers.size(), 2u);
}

TEST(request_parser, chunk_extensions_are_ignored_up_to_a_bound) {
    const std::string chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    EXPECT_EQ(verdict(chunked + "3;a;c=\"d e\";f=g\r\nabc\r\n0;last\r\n\r\n"), 200);
    EXPECT_EQ(verdict(chunked + "3;x=" + std::string(5000, 'v') + "\r\nabc\r\n0\r\n\r\n"), 400);
    std::string many = chunked;
    for (int i = 0; i < 400; ++i) many += "1;ext=0123456789\r\na\r\n";
    EXPECT_EQ(verdict(many + "0\r\n\r\n"), 400);  // the bound is per request, not per chunk
}

TEST(request_parser, expectations_other_than_100_continue_get_417) {
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: a\r\nExpect: foo\r\n\r\n"), 417);
    EXPECT_EQ(verdict("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue, x=1\r\n"
                      "Content-Length: 1\r\n\r\na"),
              417);
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n\r\n"), 200);
    request_parser p({});
    size_t used = 0;
    // HTTP/1.0 cannot read a 1xx: its 100-continue is ignored.
    EXPECT_EQ(p.feed("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n", used),
              result::need_more);
    EXPECT_FALSE(p.expects_continue());
}

TEST(request_parser, methods_unknown_tokens_are_501_and_non_tokens_400) {
    EXPECT_EQ(verdict("FROB / HTTP/1.1\r\nHost: a\r\n\r\n"), 501);
    EXPECT_EQ(verdict("get / HTTP/1.1\r\nHost: a\r\n\r\n"), 501);  // methods are case-sensitive
    EXPECT_EQ(verdict("GE / HTTP/1.1\r\nHost: a\r\n\r\n"), 501);
    EXPECT_EQ(verdict("G{T / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    EXPECT_EQ(verdict("\x01GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
}

TEST(request_parser, obsolete_line_folding_after_an_empty_value_is_rejected_too) {
    // Found by the differential fuzzer: llhttp joins a continuation line to an empty value.
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: x\r\nX-A:\r\n Content-Length: 3\r\n\r\nabc"), 400);
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: x\r\nX-A: \r\n\t  b\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: x\r\nX-A:    b\r\n\r\n"), 200);
    // Documented: a continuation of only whitespace adds nothing; llhttp joins it (the RFC's
    // "replace obs-fold with SP"), and the message ends where it would have anyway.
    request_parser p({});
    size_t used = 0;
    const std::string joined = "GET / HTTP/1.1\r\nHost: x\r\nX-A:\r\n  \r\n\r\n";
    ASSERT_EQ(p.feed(joined + "GET /next HTTP/1.1\r\n", used), result::request_ready);
    EXPECT_EQ(used, joined.size());
    EXPECT_EQ(p.current().header("X-A"), "");
}

TEST(request_parser, field_names_are_tokens) {
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: a\r\nX Y: v\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: a\r\nX-Y : v\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: a\r\nX\"Y: v\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: a\r\n!#$%&'*+-.^_`|~09aZ: v\r\n\r\n"), 200);
}

TEST(request_parser, targets_with_a_fragment_or_in_authority_form_are_rejected) {
    EXPECT_EQ(verdict("GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET a:80 HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    EXPECT_EQ(verdict("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n"), 400);  // not ASCII
    EXPECT_EQ(verdict("GET /caf%C3%A9 HTTP/1.1\r\nHost: a\r\n\r\n"), 200);
}
