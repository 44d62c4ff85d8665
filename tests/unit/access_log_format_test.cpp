#include "http/access_log_format.hpp"

#include <gtest/gtest.h>

using namespace ringhttpd;
using namespace ringhttpd::http;

namespace {

std::string line(log_format format, const request& req, int status = 200,
                 uint64_t duration_ns = 1'500'000) {
    const exchange e{req, *io::client_address::parse("2001:db8::7"), status, 12, 80, duration_ns};
    std::string out;
    append_log_line(out, format, e, {"01/Dec/2026:17:55:27 +0000", "2026-12-01T17:55:27.123+00:00"},
                    "0123456789abcdef0123456789abcdef");
    return out;
}

request with_agent(std::string agent) {
    request req;
    req.method_name = "GET";
    req.target = "/a?b=c";
    req.host = "example.com";
    req.headers = {{"User-Agent", std::move(agent)}};
    return req;
}

}  // namespace

TEST(access_log_format, combined_matches_nginx_and_no_byte_ends_a_field_or_a_line) {
    EXPECT_EQ(line(log_format::combined, with_agent("curl/8.0")),
              "2001:db8::7 - - [01/Dec/2026:17:55:27 +0000] \"GET /a?b=c HTTP/1.1\" 200 12 \"-\" "
              "\"curl/8.0\"\n");
    EXPECT_EQ(line(log_format::combined, with_agent("a\"b\\c\nd\x7f")),
              "2001:db8::7 - - [01/Dec/2026:17:55:27 +0000] \"GET /a?b=c HTTP/1.1\" 200 12 \"-\" "
              "\"a\\x22b\\x5Cc\\x0Ad\\x7F\"\n");
    request unparsed;  // a 400 before the request line was read
    EXPECT_EQ(line(log_format::combined, unparsed, 400),
              "2001:db8::7 - - [01/Dec/2026:17:55:27 +0000] \"\" 400 12 \"-\" \"-\"\n");
}

TEST(access_log_format, json_escapes_as_nginx_escape_json_and_stays_ascii) {
    EXPECT_EQ(line(log_format::json, with_agent("q\"\\\n\t\x01\xc3\xa9")),
              "{\"ts\":\"2026-12-01T17:55:27.123+00:00\",\"remote\":\"2001:db8::7\","
              "\"method\":\"GET\",\"uri\":\"/a?b=c\",\"proto\":\"HTTP/1.1\",\"status\":200,"
              "\"size\":12,\"bytes_read\":80,\"duration\":0.001500,"
              "\"user_agent\":\"q\\\"\\\\\\n\\t\\u0001\\u00C3\\u00A9\",\"referer\":\"\","
              "\"host\":\"example.com\",\"request_id\":\"0123456789abcdef0123456789abcdef\"}\n");
}

TEST(access_log_format, json_durations_are_seconds_rounded_to_six_decimals_as_printf_does) {
    const auto duration = [](uint64_t ns) {
        const std::string l = line(log_format::json, with_agent("a"), 200, ns);
        const size_t at = l.find("\"duration\":") + 11;
        return l.substr(at, l.find(',', at) - at);
    };
    EXPECT_EQ(duration(0), "0.000000");
    EXPECT_EQ(duration(499), "0.000000");
    EXPECT_EQ(duration(500), "0.000001");
    EXPECT_EQ(duration(1'999'999), "0.002000");
    EXPECT_EQ(duration(12'345'678'901), "12.345679");
    EXPECT_EQ(duration(999'999'999), "1.000000");
}

TEST(access_log_format, the_time_fields_have_nginx_shapes) {
    const log_time t = log_time_now();
    EXPECT_EQ(t.local.size(), std::string_view("01/Dec/2026:17:55:27 +0000").size());
    EXPECT_EQ(t.iso.size(), std::string_view("2026-12-01T17:55:27.123+00:00").size());
    EXPECT_EQ(t.iso[10], 'T');
    EXPECT_EQ(t.iso[26], ':');
    for (size_t i : {20, 21, 22}) EXPECT_TRUE(t.iso[i] >= '0' && t.iso[i] <= '9') << t.iso;
    // Within one second only the milliseconds move. (The fields are views of one buffer.)
    const std::string local(t.local), iso(t.iso);
    const log_time later = log_time_now();
    if (later.local == local) EXPECT_EQ(later.iso.substr(0, 20), iso.substr(0, 20));
}
