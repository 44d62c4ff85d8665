#include <gtest/gtest.h>

#include "handlers/mime.hpp"
#include "http/date_cache.hpp"
#include "http/status.hpp"
#include "http/text.hpp"

using namespace ringhttpd;

TEST(mime, maps_extensions_case_insensitively) {
    EXPECT_EQ(handlers::mime_type_for("index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(handlers::mime_type_for("/a/b/STYLE.CSS"), "text/css; charset=utf-8");
    EXPECT_EQ(handlers::mime_type_for("app.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(handlers::mime_type_for("x.png"), "image/png");
    EXPECT_EQ(handlers::mime_type_for("x.woff2"), "font/woff2");
    EXPECT_EQ(handlers::mime_type_for("x.json"), "application/json");
}

TEST(mime, covers_the_extensions_of_nginx_mime_types) {
    for (const char* name : {"a.3gp", "a.avi", "a.crt", "a.eps", "a.kml", "a.mml", "a.shtml",
                             "a.xspf", "a.wmv", "a.jnlp", "a.wasm", "a.avif"})
        EXPECT_NE(handlers::mime_type_for(name), "application/octet-stream") << name;
    EXPECT_EQ(handlers::mime_type_for("a.shtml"), "text/html; charset=utf-8");
    EXPECT_EQ(handlers::mime_type_for("a.kml"), "application/vnd.google-earth.kml+xml");
}

TEST(mime, compressible_types) {
    for (const char* type : {"text/html; charset=utf-8", "application/json", "image/svg+xml",
                             "application/wasm", "text/javascript; charset=utf-8"})
        EXPECT_TRUE(handlers::is_compressible(type)) << type;
    for (const char* type :
         {"image/png", "video/mp4", "application/gzip", "font/woff2", "application/octet-stream"})
        EXPECT_FALSE(handlers::is_compressible(type)) << type;
}

TEST(mime, falls_back_to_octet_stream) {
    EXPECT_EQ(handlers::mime_type_for("README"), "application/octet-stream");
    EXPECT_EQ(handlers::mime_type_for("x.unknown"), "application/octet-stream");
    EXPECT_EQ(handlers::mime_type_for("dir.d/file"), "application/octet-stream");
    EXPECT_EQ(handlers::mime_type_for("trailing."), "application/octet-stream");
}

TEST(status_table, has_reason_phrases) {
    EXPECT_EQ(http::reason_phrase(200), "OK");
    EXPECT_EQ(http::reason_phrase(404), "Not Found");
    EXPECT_EQ(http::reason_phrase(413), "Content Too Large");
    EXPECT_EQ(http::reason_phrase(431), "Request Header Fields Too Large");
    EXPECT_EQ(http::reason_phrase(505), "HTTP Version Not Supported");
    EXPECT_EQ(http::reason_phrase(799), "Unknown");
}

TEST(status_table, has_status_lines_for_the_codes_it_knows) {
    EXPECT_EQ(http::status_line(200), "HTTP/1.1 200 OK");
    EXPECT_EQ(http::status_line(100), "HTTP/1.1 100 Continue");
    EXPECT_EQ(http::status_line(507), "HTTP/1.1 507 Insufficient Storage");
    EXPECT_EQ(http::status_line(299), "");  // the writer formats unknown ones itself
    EXPECT_EQ(http::status_line(99), "");
    EXPECT_EQ(http::status_line(600), "");
    EXPECT_EQ(http::status_line(-1), "");
}

TEST(char_classes, follow_rfc_9110_and_3986) {
    for (char c : std::string_view("azAZ09!#$%&'*+-.^_`|~")) EXPECT_TRUE(http::is_tchar(c)) << c;
    for (char c : std::string_view("()<>@,;:\\\"/[]?={} \t\x7f\x80\xff"))
        EXPECT_FALSE(http::is_tchar(c)) << int(c);
    for (char c : std::string_view("azAZ09-._~")) EXPECT_TRUE(http::is_unreserved(c)) << c;
    for (char c : std::string_view("!$&'()*+,;=:%/ \x80"))
        EXPECT_FALSE(http::is_unreserved(c)) << int(c);
    for (char c : std::string_view("az09-._~!$&'()*+,;="))
        EXPECT_TRUE(http::is_unreserved_or_sub_delim(c)) << c;
    for (char c : std::string_view(":@/?#[]% \"\x80\xff"))
        EXPECT_FALSE(http::is_unreserved_or_sub_delim(c)) << int(c);
}

TEST(status_table, knows_which_statuses_have_no_body) {
    EXPECT_TRUE(http::status_has_no_body(100));
    EXPECT_TRUE(http::status_has_no_body(204));
    EXPECT_TRUE(http::status_has_no_body(304));
    EXPECT_FALSE(http::status_has_no_body(200));
    EXPECT_FALSE(http::status_has_no_body(404));
}

TEST(http_date, formats_imf_fixdate) {
    char buf[32];
    EXPECT_EQ(http::format_http_date(784111777, buf), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(http::format_http_date(0, buf), "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST(http_date, now_is_current_and_cached_within_a_second) {
    std::string a(http::http_date_now());
    char buf[32];
    std::string expected(http::format_http_date(std::time(nullptr), buf));
    std::string b(http::http_date_now());
    EXPECT_EQ(a.size(), 29u);
    // Either the same second, or the clock ticked between the calls.
    EXPECT_TRUE(b == expected || a == expected) << a << " / " << b << " / " << expected;
}
