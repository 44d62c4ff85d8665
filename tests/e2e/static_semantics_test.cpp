// Static files as nginx and Caddy users expect them, seen by curl and raw sockets: validators
// and conditional requests, ranges, content codings, directories and caching headers.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <regex>
#include <thread>

#include "harness.hpp"

using namespace e2e;
using namespace std::chrono_literals;

namespace {

// A file of `size` bytes that compresses well (text) but is not one repeated byte.
std::string text_of(size_t size) {
    std::string out;
    for (int i = 0; out.size() < size; ++i) out += "line " + std::to_string(i) + " of the page\n";
    out.resize(size);
    return out;
}

std::string base_url(const server_process& server) {
    return "http://127.0.0.1:" + std::to_string(server.port());
}

struct site {
    temp_dir root;
    std::string page = text_of(20000);
    site() {
        root.write("page.txt", page);
        root.write("small.txt", "tiny\n");
        root.write("image.png", std::string(5000, 'p'));
        root.write("docs/index.html", "<p>docs</p>\n");
        root.write("files/b.txt", "b");
        root.write("files/a & <b>.txt", "a");
        root.write("files/.hidden", "h");
        root.write("files/sub/x.txt", "x");
    }
};

}  // namespace

TEST(static_semantics, etag_and_last_modified_drive_304_and_412) {
    site s;
    server_process server({}, s.root.path());
    client c(server.port());
    auto first = c.roundtrip(get("/page.txt"));
    ASSERT_TRUE(first);
    const std::string etag = first->header("etag");
    const std::string modified = first->header("last-modified");
    EXPECT_TRUE(std::regex_match(etag, std::regex("\"[0-9a-f]+-4e20\""))) << etag;
    EXPECT_FALSE(modified.empty());
    EXPECT_EQ(first->header("accept-ranges"), "bytes");
    EXPECT_EQ(first->header("vary"), "Accept-Encoding");

    for (const std::string& header :
         {"If-None-Match: " + etag, "If-None-Match: \"x\", W/" + etag,
          std::string("If-None-Match: *"), "If-Modified-Since: " + modified}) {
        auto res = c.roundtrip(get("/page.txt", header + "\r\n"));
        ASSERT_TRUE(res) << header;
        EXPECT_EQ(res->status, 304) << header;
        EXPECT_EQ(res->body, "") << header;
        EXPECT_EQ(res->header("etag"), etag) << header;
        EXPECT_FALSE(res->has_header("content-length")) << header;
    }
    // If-None-Match is evaluated before If-Modified-Since: a miss means the full file.
    auto changed = c.roundtrip(
        get("/page.txt", "If-None-Match: \"other\"\r\nIf-Modified-Since: " + modified + "\r\n"));
    ASSERT_TRUE(changed);
    EXPECT_EQ(changed->status, 200);
    EXPECT_EQ(changed->body, s.page);
    auto old =
        c.roundtrip(get("/page.txt", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n"));
    ASSERT_TRUE(old);
    EXPECT_EQ(old->status, 200);

    for (const std::string& header :
         {std::string("If-Match: \"nope\""), "If-Match: W/" + etag,
          std::string("If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT")}) {
        auto res = c.roundtrip(get("/page.txt", header + "\r\n"));
        ASSERT_TRUE(res) << header;
        EXPECT_EQ(res->status, 412) << header;
    }
    auto matched = c.roundtrip(get("/page.txt", "If-Match: " + etag + "\r\n"));
    ASSERT_TRUE(matched);
    EXPECT_EQ(matched->status, 200);

    // curl's own conditional flags.
    const std::string url = base_url(server) + "/page.txt";
    EXPECT_EQ(
        capture("curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: " + etag + "' " + url),
        "304");
    EXPECT_EQ(capture("curl -s -o /dev/null -w '%{http_code}' -z '" + modified + "' " + url),
              "304");
    EXPECT_EQ(
        capture("curl -s -o /dev/null -w '%{http_code}' -z 'Thu, 01 Jan 1970 00:00:00 GMT' " + url),
        "200");
}

TEST(static_semantics, ranges_single_multiple_unsatisfiable_and_if_range) {
    site s;
    server_process server({}, s.root.path());
    const std::string url = base_url(server) + "/page.txt";
    EXPECT_EQ(capture("curl -s -r 100-199 " + url), s.page.substr(100, 100));
    EXPECT_EQ(capture("curl -s -r -50 " + url), s.page.substr(s.page.size() - 50));
    EXPECT_EQ(capture("curl -s -o /dev/null -w '%{http_code}' -r 19990- " + url), "206");

    client c(server.port());
    auto one = c.roundtrip(get("/page.txt", "Range: bytes=10-19\r\n"));
    ASSERT_TRUE(one);
    EXPECT_EQ(one->status, 206);
    EXPECT_EQ(one->header("content-range"), "bytes 10-19/20000");
    EXPECT_EQ(one->body, s.page.substr(10, 10));

    auto many = c.roundtrip(get("/page.txt", "Range: bytes=0-4, 100-104\r\n"));
    ASSERT_TRUE(many);
    EXPECT_EQ(many->status, 206);
    std::smatch m;
    const std::string type = many->header("content-type");
    ASSERT_TRUE(std::regex_match(type, m, std::regex("multipart/byteranges; boundary=(\\S+)")))
        << type;
    const std::string boundary = m[1];
    const std::string expected = "\r\n--" + boundary +
                                 "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: "
                                 "bytes 0-4/20000\r\n\r\n" +
                                 s.page.substr(0, 5) + "\r\n--" + boundary +
                                 "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: "
                                 "bytes 100-104/20000\r\n\r\n" +
                                 s.page.substr(100, 5) + "\r\n--" + boundary + "--\r\n";
    EXPECT_EQ(many->body, expected);

    auto beyond = c.roundtrip(get("/page.txt", "Range: bytes=20000-\r\n"));
    ASSERT_TRUE(beyond);
    EXPECT_EQ(beyond->status, 416);
    EXPECT_EQ(beyond->header("content-range"), "bytes */20000");

    for (const char* malformed :
         {"Range: bytes=5-1\r\n", "Range: lines=1-2\r\n", "Range: bytes=x\r\n"}) {
        auto res = c.roundtrip(get("/page.txt", malformed));
        ASSERT_TRUE(res) << malformed;
        EXPECT_EQ(res->status, 200) << malformed;
        EXPECT_EQ(res->body, s.page) << malformed;
    }

    const std::string etag = one->header("etag");
    auto same = c.roundtrip(get("/page.txt", "Range: bytes=0-0\r\nIf-Range: " + etag + "\r\n"));
    ASSERT_TRUE(same);
    EXPECT_EQ(same->status, 206);
    auto stale = c.roundtrip(get("/page.txt", "Range: bytes=0-0\r\nIf-Range: \"old\"\r\n"));
    ASSERT_TRUE(stale);
    EXPECT_EQ(stale->status, 200);
    EXPECT_EQ(stale->body, s.page);
    auto weak = c.roundtrip(get("/page.txt", "Range: bytes=0-0\r\nIf-Range: W/" + etag + "\r\n"));
    ASSERT_TRUE(weak);
    EXPECT_EQ(weak->status, 200);  // If-Range compares strongly
    auto dated = c.roundtrip(
        get("/page.txt", "Range: bytes=0-0\r\nIf-Range: " + one->header("last-modified") + "\r\n"));
    ASSERT_TRUE(dated);
    EXPECT_EQ(dated->status, 206);
}

TEST(static_semantics, ranges_of_a_large_file_are_byte_exact) {
    temp_dir root;
    std::string big = text_of(3 * 1024 * 1024);
    root.write("big.txt", big);
    server_process server({}, root.path());
    client c(server.port());
    auto res = c.roundtrip(get("/big.txt", "Range: bytes=1000000-1000099, 2999990-\r\n"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 206);
    EXPECT_NE(res->body.find("Content-Range: bytes 1000000-1000099/3145728\r\n\r\n" +
                             big.substr(1000000, 100)),
              std::string::npos);
    EXPECT_NE(res->body.find("Content-Range: bytes 2999990-3145727/3145728\r\n\r\n" +
                             big.substr(2999990)),
              std::string::npos);
}

TEST(static_semantics, precompressed_sidecars_follow_accept_encoding) {
    site s;
    s.root.write("page.txt.br", "BROTLI-BYTES");
    capture("gzip -k -n '" + s.root.path() + "/page.txt'");
    const std::string gz = read_file(s.root.path() + "/page.txt.gz");
    ASSERT_FALSE(gz.empty());
    server_process server({}, s.root.path());
    client c(server.port());

    auto br = c.roundtrip(get("/page.txt", "Accept-Encoding: gzip, deflate, br\r\n"));
    ASSERT_TRUE(br);
    EXPECT_EQ(br->header("content-encoding"), "br");
    EXPECT_EQ(br->body, "BROTLI-BYTES");
    EXPECT_EQ(br->header("content-type"), "text/plain; charset=utf-8");
    EXPECT_EQ(br->header("vary"), "Accept-Encoding");

    auto gzipped = c.roundtrip(get("/page.txt", "Accept-Encoding: br;q=0.5, gzip\r\n"));
    ASSERT_TRUE(gzipped);
    EXPECT_EQ(gzipped->header("content-encoding"), "gzip");
    EXPECT_EQ(gzipped->body, gz);

    auto identity = c.roundtrip(get("/page.txt"));
    ASSERT_TRUE(identity);
    EXPECT_FALSE(identity->has_header("content-encoding"));
    EXPECT_EQ(identity->body, s.page);
    // Each coding has its own ETag.
    EXPECT_NE(br->header("etag"), gzipped->header("etag"));
    EXPECT_NE(br->header("etag"), identity->header("etag"));
    EXPECT_NE(gzipped->header("etag"), identity->header("etag"));
    // Ranges come from the identity representation.
    auto range = c.roundtrip(get("/page.txt", "Accept-Encoding: br, gzip\r\nRange: bytes=0-9\r\n"));
    ASSERT_TRUE(range);
    EXPECT_EQ(range->status, 206);
    EXPECT_FALSE(range->has_header("content-encoding"));
    EXPECT_EQ(range->body, s.page.substr(0, 10));
    // curl decodes what it gets.
    EXPECT_EQ(capture("curl -s -H 'Accept-Encoding: gzip' --compressed " + base_url(server) +
                      "/page.txt"),
              s.page);

    server_process plain({"--precompressed", "off", "--gzip", "off"}, s.root.path());
    client p(plain.port());
    auto off = p.roundtrip(get("/page.txt", "Accept-Encoding: br, gzip\r\n"));
    ASSERT_TRUE(off);
    EXPECT_FALSE(off->has_header("content-encoding"));
    EXPECT_EQ(off->body, s.page);
}

TEST(static_semantics, compressible_files_are_gzipped_on_the_fly_and_others_are_not) {
    site s;
    server_process server({}, s.root.path());
    const std::string url = base_url(server);
    EXPECT_EQ(capture("curl -s --compressed " + url + "/page.txt"), s.page);
    client c(server.port());
    for (int round = 0; round < 2; ++round) {  // compressed once, then from the cache
        auto res = c.roundtrip(get("/page.txt", "Accept-Encoding: gzip\r\n"));
        ASSERT_TRUE(res);
        EXPECT_EQ(res->header("content-encoding"), "gzip") << round;
        EXPECT_LT(res->body.size(), s.page.size() / 2) << round;
        EXPECT_TRUE(std::regex_match(res->header("etag"), std::regex("\"[0-9a-f]+-4e20-gzip\"")))
            << res->header("etag");
        auto again = c.roundtrip(get("/page.txt", "Accept-Encoding: gzip\r\nIf-None-Match: " +
                                                      res->header("etag") + "\r\n"));
        ASSERT_TRUE(again);
        EXPECT_EQ(again->status, 304);
    }
    for (const char* path : {"/small.txt", "/image.png"}) {  // under 1 KB; not compressible
        auto res = c.roundtrip(get(path, "Accept-Encoding: gzip\r\n"));
        ASSERT_TRUE(res) << path;
        EXPECT_FALSE(res->has_header("content-encoding")) << path;
        EXPECT_EQ(res->header("vary"), "Accept-Encoding") << path;
    }
    auto refused = c.roundtrip(get("/page.txt", "Accept-Encoding: gzip;q=0\r\n"));
    ASSERT_TRUE(refused);
    EXPECT_FALSE(refused->has_header("content-encoding"));
}

TEST(static_semantics, directories_redirect_list_on_request_and_never_reflect_raw_bytes) {
    site s;
    // A directory whose name holds CR LF: the Location must carry it percent-encoded.
    ASSERT_EQ(mkdir((s.root.path() + "/x\r\nSet-Cookie: y").c_str(), 0755), 0);
    server_process server({}, s.root.path());
    client c(server.port());
    auto redirect = c.roundtrip(get("/x%0D%0ASet-Cookie:%20y?q=1"));
    ASSERT_TRUE(redirect);
    EXPECT_EQ(redirect->status, 301);
    EXPECT_EQ(redirect->header("location"), "/x%0D%0ASet-Cookie%3A%20y/?q=1");
    EXPECT_FALSE(redirect->has_header("set-cookie"));
    auto docs = c.roundtrip(get("/docs"));
    ASSERT_TRUE(docs);
    EXPECT_EQ(docs->header("location"), "/docs/");
    auto index = c.roundtrip(get("/docs/"));
    ASSERT_TRUE(index);
    EXPECT_EQ(index->body, "<p>docs</p>\n");
    auto forbidden = c.roundtrip(get("/files/"));
    ASSERT_TRUE(forbidden);
    EXPECT_EQ(forbidden->status, 403);  // listing is off by default

    server_process listing({"--autoindex", "on"}, s.root.path());
    client l(listing.port());
    auto page = l.roundtrip(get("/files/"));
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_EQ(page->header("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(page->body.find("<a href=\"a%20%26%20%3Cb%3E.txt\">a &amp; &lt;b&gt;.txt</a>"),
              std::string::npos)
        << page->body;
    EXPECT_NE(page->body.find("<a href=\"sub/\">sub/</a>"), std::string::npos);
    EXPECT_NE(page->body.find("<a href=\"b.txt\">b.txt</a>"), std::string::npos);
    EXPECT_EQ(page->body.find(".hidden"), std::string::npos);
    EXPECT_EQ(page->body.find(s.root.path()), std::string::npos) << "a filesystem path leaked";
    EXPECT_NE(page->body.find("Index of /files/"), std::string::npos);
}

TEST(static_semantics, expires_sets_cache_control) {
    site s;
    {
        server_process server({}, s.root.path());
        client c(server.port());
        auto res = c.roundtrip(get("/small.txt"));
        ASSERT_TRUE(res);
        EXPECT_FALSE(res->has_header("cache-control"));
    }
    {
        server_process server({"--expires", "1h"}, s.root.path());
        client c(server.port());
        auto res = c.roundtrip(get("/small.txt"));
        ASSERT_TRUE(res);
        EXPECT_EQ(res->header("cache-control"), "max-age=3600");
        EXPECT_FALSE(res->header("expires").empty());
    }
    server_process server({"--expires", "epoch"}, s.root.path());
    client c(server.port());
    auto res = c.roundtrip(get("/small.txt"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->header("cache-control"), "no-cache");
    EXPECT_EQ(res->header("expires"), "Thu, 01 Jan 1970 00:00:01 GMT");
}

TEST(static_semantics, a_file_modified_between_two_requests_gets_a_new_etag_and_content) {
    temp_dir root;
    root.write("note.txt", "first version\n");
    server_process server({}, root.path());
    client c(server.port());
    auto first = c.roundtrip(get("/note.txt", "Accept-Encoding: gzip\r\n"));
    ASSERT_TRUE(first);
    // Deliberate: a different mtime second, and a later second than the open-file cache's last
    // look at the file, so it looks again. Longer on a loaded machine is as good.
    std::this_thread::sleep_for(1100ms);
    root.write("note.txt", "the second, longer version\n");
    auto second = c.roundtrip(get("/note.txt", "If-None-Match: " + first->header("etag") + "\r\n"));
    ASSERT_TRUE(second);
    EXPECT_EQ(second->status, 200);
    EXPECT_EQ(second->body, "the second, longer version\n");
    EXPECT_NE(second->header("etag"), first->header("etag"));
}

TEST(static_semantics, a_cache_smaller_than_the_site_still_serves_every_file_right) {
    temp_dir root;
    for (int i = 0; i < 12; ++i) {
        // Small files live in memory, the large ones keep a descriptor: both kinds get evicted.
        const std::string body = i % 3 ? "file " + std::to_string(i) + "\n" : text_of(40000 + i);
        root.write("f" + std::to_string(i) + ".txt", body);
    }
    server_process server({"--open-file-cache", "4"}, root.path());
    client c(server.port());
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 12; ++i) {
            auto res = c.roundtrip(get("/f" + std::to_string(i) + ".txt"));
            ASSERT_TRUE(res);
            EXPECT_EQ(res->status, 200);
            EXPECT_EQ(res->body, i % 3 ? "file " + std::to_string(i) + "\n" : text_of(40000 + i));
        }
    }
}

TEST(static_semantics, without_the_open_file_cache_a_rewritten_file_is_served_at_once) {
    temp_dir root;
    root.write("note.txt", "first version\n");
    server_process server({"--open-file-cache", "0"}, root.path());
    client c(server.port());
    auto first = c.roundtrip(get("/note.txt"));
    ASSERT_TRUE(first);
    EXPECT_EQ(first->body, "first version\n");
    root.write("note.txt", "second version\n");  // within the same second: no wait needed
    auto second = c.roundtrip(get("/note.txt"));
    ASSERT_TRUE(second);
    EXPECT_EQ(second->body, "second version\n");
}
