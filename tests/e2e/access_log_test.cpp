// The access log as its readers see it: nginx's combined format byte for byte (and goaccess
// reads every line), JSON that every line of parses, one line per request, SIGUSR1 reopens,
// size-based rotation, and a clear error for a log that cannot be opened.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "harness.hpp"

using namespace e2e;

namespace {

std::vector<std::string> lines_of(const std::string& path) {
    std::vector<std::string> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// Waits until `path` holds `count` lines (the writer flushes a few times a second).
bool has_lines(const std::string& path, size_t count) {
    return wait_until(
        patience, [&] { return lines_of(path).size() >= count; },
        path + " has " + std::to_string(count) + " lines");
}

// A mixed run: 200, 206, 304, 404, 413, HEAD, POST, and a client that puts quotes, a
// backslash and bytes above 0x7e in its User-Agent. Returns the number of requests.
size_t mixed_requests(uint16_t port) {
    client c(port);
    const std::vector<std::string> requests = {
        get("/index.html"),
        get("/index.html", "Range: bytes=0-9\r\n"),
        get("/index.html", "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n"),
        get("/missing?x=1",
            "Referer: http://example.com/a\"b\r\n"
            "User-Agent: evil \"agent\" \\ \xc3\xa9\r\n"),
        "HEAD /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "POST /api/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
    };
    for (const std::string& r : requests) EXPECT_TRUE(c.roundtrip(r, r.starts_with("HEAD"))) << r;
    client big(port);  // 413 closes the connection
    EXPECT_EQ(big.roundtrip("POST /api/echo HTTP/1.1\r\nHost: localhost\r\n"
                            "Content-Length: 99999999\r\n\r\n")
                  ->status,
              413);
    return requests.size() + 1;
}

}  // namespace

TEST(access_log, combined_is_nginx_format_byte_for_byte_and_goaccess_reads_every_line) {
    temp_dir dir;
    const std::string log = dir.path() + "/access.log";
    server_process server({"--access-log", log});
    const size_t requests = mixed_requests(server.port());
    ASSERT_TRUE(has_lines(log, requests));
    const auto lines = lines_of(log);
    EXPECT_EQ(lines.size(), requests);

    // $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
    // "$http_referer" "$http_user_agent"
    const std::regex combined(
        R"(^127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "[^"]*" \d{3} \d+ "[^"]*" "[^"]*"$)");
    for (const std::string& line : lines) EXPECT_TRUE(std::regex_match(line, combined)) << line;
    const std::string text = read_file(log);
    EXPECT_NE(text.find("\"GET /index.html HTTP/1.1\" 206 10 \"-\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"GET /index.html HTTP/1.1\" 304 0 "), std::string::npos) << text;
    EXPECT_NE(text.find("\"HEAD /index.html HTTP/1.1\" 200 0 "), std::string::npos) << text;
    EXPECT_NE(text.find("\"POST /api/echo HTTP/1.1\" 200 "), std::string::npos) << text;
    EXPECT_NE(text.find("\" 413 "), std::string::npos) << text;
    // nginx's escaping: the quotes and the backslash cannot end the field early.
    EXPECT_NE(text.find("\"GET /missing?x=1 HTTP/1.1\" 404 150 \"http://example.com/a\\x22b\" "
                        "\"evil \\x22agent\\x22 \\x5C \\xC3\\xA9\""),
              std::string::npos)
        << text;

    const std::string report =
        capture("goaccess " + log + " --log-format=COMBINED --no-global-config -o json 2>&1");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(report, m, std::regex(R"("failed_requests": (\d+))"))) << report;
    EXPECT_EQ(m[1], "0") << report;
    ASSERT_TRUE(std::regex_search(report, m, std::regex(R"("valid_requests": (\d+))")));
    EXPECT_EQ(std::stoul(m[1]), requests);
}

TEST(access_log, json_lines_all_parse_and_hold_every_field) {
    temp_dir dir;
    const std::string log = dir.path() + "/access.json";
    server_process server({"--access-log", log, "--log-format", "json"});
    const size_t requests = mixed_requests(server.port());
    ASSERT_TRUE(has_lines(log, requests));
    // jq reads each line as one object; -e fails on a line without the fields.
    const std::string out = capture(
        "jq -ce 'select(.ts and .remote and .method and .uri and .proto and (.status|numbers) "
        "and (.size|numbers) and (.bytes_read|numbers) and (.duration|numbers) and "
        "has(\"user_agent\") and has(\"referer\") and .host and "
        "(.request_id|length == 32))' " +
        log + " | wc -l");
    EXPECT_EQ(std::stoul(out), requests);
    const std::string agent = capture("jq -r 'select(.status == 404) | .user_agent' " + log);
    EXPECT_EQ(agent, "evil \"agent\" \\ \xc3\x83\xc2\xa9\n");  // bytes above 0x7f as \u00XX
    const std::string ids = capture("jq -r .request_id " + log + " | sort -u | wc -l");
    EXPECT_EQ(std::stoul(ids), requests);
}

TEST(access_log, stdout_is_a_destination) {
    server_process server({"--access-log", "stdout"});
    ASSERT_TRUE(client(server.port()).roundtrip(get("/api/hello?log=stdout")));
    EXPECT_TRUE(wait_until(
        patience,
        [&] {
            return server.log().find("\"GET /api/hello?log=stdout HTTP/1.1\" 200") !=
                   std::string::npos;
        },
        "the line on stdout"));
}

TEST(access_log, sigusr1_reopens_the_file_and_no_line_is_lost_or_repeated) {
    temp_dir dir;
    const std::string log = dir.path() + "/access.log";
    server_process server({"--access-log", log});
    client c(server.port());
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(c.roundtrip(get("/api/hello?before=" + std::to_string(i))));
    ASSERT_TRUE(has_lines(log, 5));
    std::filesystem::rename(log, log + ".old");  // what logrotate does
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(c.roundtrip(get("/api/hello?between=" + std::to_string(i))));
    server.signal(SIGUSR1);
    ASSERT_TRUE(wait_until(
        patience, [&] { return std::filesystem::exists(log); }, "reopened"));
    for (int i = 0; i < 4; ++i)
        ASSERT_TRUE(c.roundtrip(get("/api/hello?after=" + std::to_string(i))));
    ASSERT_TRUE(has_lines(log, 4));
    const auto old_lines = lines_of(log + ".old");
    const auto new_lines = lines_of(log);
    EXPECT_EQ(old_lines.size() + new_lines.size(), 12u);
    for (const std::string& line : new_lines)
        EXPECT_NE(line.find("after="), std::string::npos) << line;
}

TEST(access_log, rotates_by_size_and_keeps_the_files_it_is_told_to) {
    temp_dir dir;
    const std::string log = dir.path() + "/access.log";
    server_process server({"--access-log", log, "--access-log-rotate-size", "1k",
                           "--access-log-rotate-files", "2", "--threads", "1"});
    client c(server.port());
    size_t sent = 0;
    ASSERT_TRUE(wait_until(
        patience,
        [&] {
            for (int i = 0; i < 20; ++i, ++sent) c.roundtrip(get("/api/hello"));
            return std::filesystem::exists(log + ".2");
        },
        "two rotations"));
    EXPECT_FALSE(std::filesystem::exists(log + ".3"));
    EXPECT_LE(std::filesystem::file_size(log + ".1"), 1024u + 64 * 1024);
}

TEST(access_log, a_log_that_cannot_be_opened_stops_the_start_with_the_fix) {
    auto [status, out] = run_binary({"--root", RINGHTTPD_STATIC_DIR, "--listen", "127.0.0.1:0",
                                     "--access-log", "/nonexistent-dir/access.log"});
    EXPECT_EQ(status, 1);
    EXPECT_NE(out.find("cannot open the access log /nonexistent-dir/access.log"), std::string::npos)
        << out;
    EXPECT_NE(out.find("create its directory"), std::string::npos) << out;
}

TEST(access_log, a_location_can_turn_logging_off_for_health_checks) {
    temp_dir dir;
    const std::string log = dir.path() + "/access.log";
    dir.write("ringhttpd.toml", "access_log = \"" + log +
                                    "\"\n"
                                    "[[location]]\n"
                                    "path = \"= /health\"\n"
                                    "return = \"200 ok\"\n"
                                    "access_log = false\n");
    server_process server({"-c", dir.path() + "/ringhttpd.toml"});
    client c(server.port());
    for (int i = 0; i < 3; ++i) ASSERT_EQ(c.roundtrip(get("/health"))->status, 200);
    ASSERT_EQ(c.roundtrip(get("/index.html"))->status, 200);
    ASSERT_TRUE(has_lines(log, 1));
    const auto lines = lines_of(log);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("GET /index.html"), std::string::npos) << lines[0];
}
