// Real HTTP clients against the real server: curl and Python's http.client.

#include <gtest/gtest.h>

#include <cstdio>

#include "harness.hpp"

using namespace e2e;

TEST(real_clients, curl_reuses_one_connection_for_several_urls) {
    server_process server;
    std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    std::string out =
        capture("curl -s -w '%{http_code} %{num_connects}\\n' -o /dev/null " + base +
                "/ -o /dev/null " + base + "/api/hello -o /dev/null " + base + "/hello/curl");
    EXPECT_EQ(out, "200 1\n200 0\n200 0\n");
}

TEST(real_clients, curl_posts_json_and_reads_headers) {
    server_process server;
    std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    EXPECT_EQ(capture("curl -s --data-binary '{\"k\":[true]}' " + base + "/api/echo"),
              R"({"echo":{"k":[true]}})");
    std::string head = capture("curl -sI " + base + "/");
    EXPECT_NE(head.find("HTTP/1.1 200 OK"), std::string::npos) << head;
    EXPECT_NE(head.find("Server: ringhttpd"), std::string::npos) << head;
    // curl sends Expect: 100-continue for bodies over 1 MiB... and over the limit gets 413.
    std::string big = capture(
        "head -c 2000000 /dev/zero | curl -s -o /dev/null -w '%{http_code}' "
        "--data-binary @- " +
        base + "/api/echo");
    EXPECT_EQ(big, "413");
}

TEST(real_clients, python_http_client_keep_alive_session) {
    server_process server;
    std::string script = std::string(RINGHTTPD_TESTS_DIR) + "/e2e/python_client.py";
    std::string out = capture("python3 " + script + " " + std::to_string(server.port()) + " 2>&1");
    EXPECT_EQ(out, "ok\n") << out;
}
