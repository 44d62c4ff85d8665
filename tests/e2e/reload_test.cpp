// SIGHUP: the configuration file read again and applied between requests, or refused whole.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <future>

#include "harness.hpp"

using namespace e2e;
using namespace std::chrono_literals;

namespace {

std::optional<http_response> fetch(uint16_t port, const std::string& path) {
    client c(port);
    return c.roundtrip(get(path));
}

// Whether the server has logged `text` so far.
bool logged(const server_process& server, const std::string& text) {
    return server.log().find(text) != std::string::npos;
}

// Writes `text` as the configuration file in `dir`, sends SIGHUP, and waits until the log says
// `outcome` ("reload 2: applied").
bool reload_with(const server_process& server, const temp_dir& dir, const std::string& text,
                 const std::string& outcome) {
    dir.write("ringhttpd.toml", text);
    server.signal(SIGHUP);
    return wait_until(
        patience, [&] { return logged(server, outcome); }, outcome);
}

}  // namespace

TEST(reload, sighup_applies_a_changed_file_to_the_next_requests) {
    temp_dir dir;
    const std::string file = dir.path() + "/ringhttpd.toml";
    dir.write("ringhttpd.toml", "expires = \"off\"\n");
    server_process server({"-c", file});
    auto before = fetch(server.port(), "/index.html");
    ASSERT_TRUE(before);
    EXPECT_FALSE(before->has_header("cache-control"));

    client keep_alive(server.port());  // a connection from before the reload
    ASSERT_TRUE(keep_alive.roundtrip(get("/index.html")));
    ASSERT_TRUE(reload_with(server, dir, "expires = \"1h\"\n", "reload 1: applied " + file));
    auto on_old_connection = keep_alive.roundtrip(get("/index.html"));
    ASSERT_TRUE(on_old_connection);
    EXPECT_EQ(on_old_connection->header("cache-control"), "max-age=3600");
    auto after = fetch(server.port(), "/index.html");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->header("cache-control"), "max-age=3600");
}

TEST(reload, a_request_in_flight_finishes_under_the_configuration_it_started_with) {
    temp_dir dir;
    const std::string file = dir.path() + "/ringhttpd.toml";
    dir.write("ringhttpd.toml", "debug_routes = true\n");
    server_process server({"-c", file});
    auto held = std::async(std::launch::async, [&] { return fetch(server.port(), "/debug/hold"); });
    ASSERT_TRUE(wait_until(
        patience,
        [&] {
            auto running = fetch(server.port(), "/debug/running");
            return running && running->body == "1\n";
        },
        "a worker holds the request"));

    ASSERT_TRUE(reload_with(server, dir, "debug_routes = false\n", "reload 1: applied"));
    auto gone = fetch(server.port(), "/debug/release");  // new requests: no debug routes
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->status, 404);

    // Bring the debug routes back, to release the request that still runs under the first
    // routes.
    ASSERT_TRUE(reload_with(server, dir, "debug_routes = true\n", "reload 2: applied"));
    auto released = fetch(server.port(), "/debug/release");
    ASSERT_TRUE(released);
    EXPECT_EQ(released->body, "released 1\n");
    auto answer = held.get();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 200);  // finished across two reloads
}

TEST(reload, an_invalid_file_is_refused_whole_and_the_server_keeps_serving) {
    temp_dir dir;
    const std::string file = dir.path() + "/ringhttpd.toml";
    dir.write("ringhttpd.toml", "expires = \"1h\"\n");
    server_process server({"-c", file});
    // Half good, half bad.
    ASSERT_TRUE(reload_with(server, dir, "expires = \"off\"\ngzip = maybe\n", "reload 1: refused"));
    EXPECT_TRUE(logged(server, file + ":2:")) << server.log();
    auto res = fetch(server.port(), "/index.html");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->header("cache-control"), "max-age=3600");  // nothing of it was applied

    ASSERT_TRUE(reload_with(server, dir, "expires = \"off\"\nkeepalive_requests = 5\n",
                            "reload 2: refused"));
    EXPECT_TRUE(logged(server, "keepalive_requests changed, and only a restart applies"))
        << server.log();
    res = fetch(server.port(), "/index.html");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->header("cache-control"), "max-age=3600");
}

TEST(reload, a_storm_of_sighups_neither_crashes_nor_grows_memory) {
    temp_dir dir;
    const std::string file = dir.path() + "/ringhttpd.toml";
    dir.write("ringhttpd.toml", "expires = \"1h\"\n");
    server_process server({"-c", file});
    ASSERT_TRUE(fetch(server.port(), "/index.html"));
    ASSERT_TRUE(reload_with(server, dir, "expires = \"1h\"\n", "reload 1: applied"));
    const long rss_before = resident_kib(server.pid());
    for (int i = 0; i < 100; ++i) {
        server.signal(SIGHUP);
        ASSERT_TRUE(fetch(server.port(), "/index.html"));
    }
    ASSERT_TRUE(fetch(server.port(), "/api/hello"));
    const long rss_after = resident_kib(server.pid());
    EXPECT_LT(rss_after - rss_before, 4 * 1024) << rss_before << " KiB -> " << rss_after;
    EXPECT_EQ(kill(server.pid(), 0), 0);  // alive
}
