// Static files: index, MIME types, directories, large files, and every way out of the root.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "harness.hpp"

using namespace e2e;

namespace {

const std::string secret = "TOP-SECRET-OUTSIDE-ROOT";

// A document root inside a directory that also holds a secret file beside it.
struct site {
    temp_dir outer;
    std::string root = outer.path() + "/www";
    site() {
        outer.write("secret.txt", secret);
        outer.write("www/index.html", "<p>home</p>");
        outer.write("www/docs/index.html", "<p>docs</p>");
        outer.write("www/docs/guide.txt", "guide");
        outer.write("www/empty/.keep", "");
        outer.write("www/style.CSS", "body{}");
        outer.write("www/data.unknownext", "??");
        outer.write("www/a b.txt", "space");
        symlink((outer.path() + "/secret.txt").c_str(), (root + "/leak.txt").c_str());
        symlink("../secret.txt", (root + "/relative-leak.txt").c_str());
        symlink(outer.path().c_str(), (root + "/outer-dir").c_str());
        symlink("docs/guide.txt", (root + "/inside-link.txt").c_str());
        mkfifo((root + "/fifo").c_str(), 0644);
    }
};

}  // namespace

TEST(static_files, directories_serve_index_html_and_mime_types_follow_extensions) {
    site s;
    server_process server({}, s.root);
    client c(server.port());
    auto res = c.roundtrip(get("/docs/"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "<p>docs</p>");
    EXPECT_EQ(res->header("content-type"), "text/html; charset=utf-8");
    res = c.roundtrip(get("/style.CSS"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->header("content-type"), "text/css; charset=utf-8");
    res = c.roundtrip(get("/data.unknownext"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->header("content-type"), "application/octet-stream");
    res = c.roundtrip(get("/a%20b.txt"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "space");
    res = c.roundtrip(get("/inside-link.txt"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "guide");
}

TEST(static_files, a_directory_without_slash_redirects_and_without_index_is_forbidden) {
    site s;
    server_process server({}, s.root);
    client c(server.port());
    auto res = c.roundtrip(get("/docs?x=1"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 301);
    EXPECT_EQ(res->header("location"), "/docs/?x=1");
    res = c.roundtrip(get("/empty/"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403);
}

TEST(static_files, missing_files_and_special_files_are_404) {
    site s;
    server_process server({}, s.root);
    client c(server.port());
    for (const char* path : {"/missing.html", "/docs/missing", "/index.html/", "/fifo"}) {
        auto res = c.roundtrip(get(path));
        ASSERT_TRUE(res) << path;
        EXPECT_EQ(res->status, 404) << path;
    }
}

TEST(static_files, traversal_never_leaves_the_root) {
    site s;
    server_process server({}, s.root);
    const std::vector<std::string> attacks = {
        "/../secret.txt",     "/docs/../../secret.txt",     "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt", "/.%2e/secret.txt",           "/..%2fsecret.txt",
        "/..%2Fsecret.txt",   "/docs/..%2f..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",   "/secret.txt%00.html",        "/index.html%00",
        "/leak.txt",          "/relative-leak.txt",         "/outer-dir/secret.txt",
        "/outer-dir/",        "/%252e%252e/secret.txt",     "/./../secret.txt",
        "//../secret.txt",
    };
    for (const auto& path : attacks) {
        client c(server.port());
        auto res = c.roundtrip(get(path));
        ASSERT_TRUE(res) << path;
        EXPECT_TRUE(res->status == 400 || res->status == 403 || res->status == 404)
            << path << " -> " << res->status;
        EXPECT_EQ(res->body.find(secret), std::string::npos) << path;
    }
}

TEST(static_files, a_10_mb_file_arrives_byte_exact_and_head_reports_its_size) {
    temp_dir root;
    std::string data(10 * 1024 * 1024, '\0');
    std::mt19937 rng(42);
    for (auto& ch : data) ch = char(rng());
    root.write("big.bin", data);
    server_process server({}, root.path());
    client c(server.port());
    auto res = c.roundtrip(get("/big.bin"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->header("content-length"), std::to_string(data.size()));
    EXPECT_TRUE(res->body == data);
    c.send("HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
    auto head = c.read_response(true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->header("content-length"), std::to_string(data.size()));
    auto after = c.roundtrip(get("/big.bin"));
    ASSERT_TRUE(after);
    EXPECT_TRUE(after->body == data);
}

TEST(static_files, cached_files_that_change_or_disappear_are_noticed_within_a_second) {
    temp_dir root;
    root.write("page.html", "version one");
    server_process server({}, root.path());
    client c(server.port());
    auto body = [&] {
        auto res = c.roundtrip(get("/page.html"));
        return res ? std::to_string(res->status) + " " + res->body : std::string("no response");
    };
    EXPECT_EQ(body(), "200 version one");
    EXPECT_EQ(body(), "200 version one");  // now from the cache
    // The server looks at a cached file again in a later second than it last did; each pause
    // waits that out (and gives the rewrite a new mtime second). The waiting is what the test is
    // about: a loaded machine only makes the pauses longer, which changes nothing.
    const auto pause = std::chrono::milliseconds(1100);

    root.write("page.html", "version two, longer");  // rewritten in place
    std::this_thread::sleep_for(pause);
    EXPECT_EQ(body(), "200 version two, longer");

    root.write("page.html", "VERSION TWO, LONGER");  // same size, new mtime
    std::this_thread::sleep_for(pause);
    EXPECT_EQ(body(), "200 VERSION TWO, LONGER");

    root.write("next.html", "replacement");  // renamed over the old one: a new inode
    std::rename((root.path() + "/next.html").c_str(), (root.path() + "/page.html").c_str());
    std::this_thread::sleep_for(pause);
    EXPECT_EQ(body(), "200 replacement");

    std::remove((root.path() + "/page.html").c_str());
    std::this_thread::sleep_for(pause);
    EXPECT_EQ(body().substr(0, 3), "404");
}

TEST(static_files, files_not_in_the_dentry_or_page_cache_are_opened_and_read_on_the_pool) {
    // Dropping the kernel's caches makes the ring's non-blocking first try (RESOLVE_CACHED,
    // RWF_NOWAIT) fail, so the files are opened and read by a worker.
    FILE* drop = std::fopen("/proc/sys/vm/drop_caches", "w");
    if (!drop) GTEST_SKIP() << "needs root to drop the kernel's caches";
    temp_dir root;
    std::string big(100 * 1024, 'b');
    root.write("deep/er/small.txt", "small file\n");
    root.write("deep/er/big.bin", big);
    server_process server({"--threads", "1", "--workers", "2"}, root.path());
    sync();
    std::fputs("3\n", drop);
    std::fclose(drop);
    client c(server.port());
    auto small = c.roundtrip(get("/deep/er/small.txt"));
    ASSERT_TRUE(small);
    EXPECT_EQ(small->status, 200);
    EXPECT_EQ(small->body, "small file\n");
    auto large = c.roundtrip(get("/deep/er/big.bin"));
    ASSERT_TRUE(large);
    EXPECT_EQ(large->status, 200);
    EXPECT_EQ(large->body, big);
    auto missing = c.roundtrip(get("/deep/nothing/here"));
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
}
