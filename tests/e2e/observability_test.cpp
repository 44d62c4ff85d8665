// The monitoring listener: Prometheus metrics that count exactly the requests sent (and pass
// promtool), the health endpoints through a drain, the `healthcheck` subcommand, and the
// listener's isolation from the public addresses both ways.

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "harness.hpp"

using namespace e2e;
using namespace std::chrono_literals;

namespace {

// A server with its metrics listener on a port of its own.
struct monitored_server {
    explicit monitored_server(std::vector<std::string> args = {})
        : metrics_port(free_port()), server(with_metrics(std::move(args), metrics_port)) {}

    static std::vector<std::string> with_metrics(std::vector<std::string> args, uint16_t port) {
        args.insert(args.end(), {"--metrics-listen", "127.0.0.1:" + std::to_string(port)});
        return args;
    }

    std::optional<http_response> ask_metrics_listener(const std::string& path) const {
        client c(metrics_port);
        return c.roundtrip(get(path));
    }

    uint16_t metrics_port;
    server_process server;
};

// The value of the sample `series` (name and labels, as written) in Prometheus text; -1 if absent.
double sample(const std::string& text, const std::string& series) {
    const size_t at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
}

}  // namespace

TEST(observability, metrics_count_exactly_the_requests_sent) {
    monitored_server m;
    client c(m.server.port());
    for (int i = 0; i < 25; ++i) ASSERT_EQ(c.roundtrip(get("/"))->status, 200);
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(c.roundtrip("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", true)->status, 200);
    for (int i = 0; i < 2; ++i) ASSERT_EQ(c.roundtrip(get("/no-such-file"))->status, 404);
    ASSERT_EQ(c.roundtrip("BREW / HTTP/1.1\r\nHost: x\r\n\r\n")->status, 501);

    auto res = m.ask_metrics_listener("/metrics");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    EXPECT_EQ(res->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const std::string& text = res->body;
    // The scrape itself is counted once it is answered, after its text was made.
    EXPECT_EQ(sample(text, "ringhttpd_http_requests_total{code=\"200\",method=\"GET\"}"), 25);
    EXPECT_EQ(sample(text, "ringhttpd_http_requests_total{code=\"200\",method=\"HEAD\"}"), 3);
    EXPECT_EQ(sample(text, "ringhttpd_http_requests_total{code=\"404\",method=\"GET\"}"), 2);
    EXPECT_EQ(sample(text, "ringhttpd_http_request_duration_seconds_count"), 31);
    EXPECT_EQ(sample(text, "ringhttpd_http_request_duration_seconds_bucket{le=\"+Inf\"}"), 31);
    EXPECT_EQ(sample(text, "ringhttpd_http_requests_in_flight"), 1);  // the scrape
    EXPECT_GE(sample(text, "ringhttpd_connections_open"), 2);
    EXPECT_GE(sample(text, "ringhttpd_connections_accepted_total"), 2);
    EXPECT_GE(sample(text, "ringhttpd_open_file_cache_hits_total"), 20);
    EXPECT_EQ(sample(text, "ringhttpd_build_info{version=\"" RINGHTTPD_VERSION_STRING "\"}"), 1);

    // Prometheus' own checker, when installed (scripts/deps.sh installs it).
    // scripts/deps.sh installs it: a missing tool fails the test rather than skipping it.
    ASSERT_FALSE(capture("command -v promtool").empty()) << "promtool is missing (scripts/deps.sh)";
    temp_dir dir;
    dir.write("metrics.txt", text);
    const std::string lint =
        capture("promtool check metrics < " + dir.path() + "/metrics.txt 2>&1; echo rc=$?");
    EXPECT_NE(lint.find("rc=0"), std::string::npos) << lint;
}

TEST(observability, limit_refusals_are_counted_by_limit_even_with_the_same_status) {
    // limit_req answering 503, as limit_conn does: still counted as limit_req.
    monitored_server m({"--limit-req", "1r/m", "--limit-req-status", "503", "--limit-conn", "1"});
    client c(m.server.port());
    ASSERT_EQ(c.roundtrip(get("/"))->status, 200);
    ASSERT_EQ(c.roundtrip(get("/"))->status, 503);
    ASSERT_EQ(c.roundtrip(get("/"))->status, 503);
    client second(m.server.port());  // a second connection of the same client
    ASSERT_EQ(second.roundtrip(get("/"))->status, 503);
    // The server-wide limits hold on the metrics listener too: scrape as another client.
    client scraper(m.metrics_port, "127.0.0.1", "127.0.0.2");
    const std::string text = scraper.roundtrip(get("/metrics"))->body;
    EXPECT_EQ(sample(text, "ringhttpd_limit_req_rejected_total"), 2);
    EXPECT_EQ(sample(text, "ringhttpd_limit_conn_rejected_total"), 1);
    EXPECT_EQ(sample(text, "ringhttpd_http_requests_total{code=\"503\",method=\"GET\"}"), 3);
}

TEST(observability, the_metrics_listener_serves_only_monitoring_and_nothing_leaks_out) {
    monitored_server m;
    client pub(m.server.port());
    EXPECT_EQ(pub.roundtrip(get("/metrics"))->status, 404);
    EXPECT_EQ(pub.roundtrip(get("/status"))->status, 404);
    EXPECT_EQ(pub.roundtrip(get("/healthz"))->status, 404);
    EXPECT_EQ(pub.roundtrip(get("/"))->status, 200);
    EXPECT_EQ(m.ask_metrics_listener("/")->status, 404);
    EXPECT_EQ(m.ask_metrics_listener("/api/hello")->status, 404);
    EXPECT_EQ(m.ask_metrics_listener("/status")->status, 200);
    // Four requests on the public listener, three on this one before the last.
    auto json = m.ask_metrics_listener("/status.json");
    ASSERT_TRUE(json);
    EXPECT_EQ(json->header("content-type"), "application/json");
    EXPECT_NE(json->body.find("\"requests\":7,"), std::string::npos) << json->body;
}

TEST(observability, the_metrics_listener_survives_a_reload) {
    monitored_server m;
    m.server.signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        patience, [&] { return m.server.log().find("reload 1: applied") != std::string::npos; },
        "the reload is applied"));
    auto res = m.ask_metrics_listener("/metrics");
    ASSERT_TRUE(res);
    EXPECT_EQ(sample(res->body, "ringhttpd_reloads_total{result=\"applied\"}"), 1);
    EXPECT_EQ(sample(res->body, "ringhttpd_config_generation"), 2);
}

TEST(observability, readyz_fails_as_soon_as_a_drain_starts_while_healthz_succeeds) {
    monitored_server m;
    EXPECT_EQ(m.ask_metrics_listener("/healthz")->status, 200);
    EXPECT_EQ(m.ask_metrics_listener("/readyz")->status, 200);
    // A request begun before the drain is answered during it.
    client probe(m.metrics_port);
    probe.send("GET /readyz HTTP/1.1\r\nHost: x\r\n");
    m.server.signal(SIGQUIT);
    ASSERT_TRUE(wait_until(
        patience, [&] { return m.server.log().find("received SIGQUIT") != std::string::npos; },
        "the drain begins"));
    probe.send("\r\n");
    auto res = probe.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503);
    EXPECT_EQ(res->body, "draining\n");
    EXPECT_EQ(m.server.wait_exit(patience), 0);
}

TEST(observability, healthcheck_exits_0_on_2xx_and_1_otherwise) {
    monitored_server m;
    const std::string base = "http://127.0.0.1:" + std::to_string(m.metrics_port);
    EXPECT_EQ(run_binary({"healthcheck", base + "/healthz"}).first, 0);
    auto [status, out] = run_binary({"healthcheck", base + "/nothing-here"});
    EXPECT_EQ(status, 1);
    EXPECT_NE(out.find("answered 404"), std::string::npos) << out;
    EXPECT_EQ(run_binary({"healthcheck", "http://127.0.0.1:" + std::to_string(free_port())}).first,
              1);
    EXPECT_EQ(run_binary({"healthcheck", "ftp://x"}).first, 1);
}

TEST(observability, a_location_serves_health_on_the_public_listener_only_when_configured) {
    temp_dir dir;
    dir.write("ringhttpd.toml", "root = \"" RINGHTTPD_STATIC_DIR
                                "\"\n"
                                "[[location]]\npath = \"= /healthz\"\nhandler = \"health\"\n");
    server_process server({"-c", dir.path() + "/ringhttpd.toml"});
    client c(server.port());
    auto res = c.roundtrip(get("/healthz"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "ok\n");
    EXPECT_EQ(run_binary(
                  {"healthcheck", "http://127.0.0.1:" + std::to_string(server.port()) + "/healthz"})
                  .first,
              0);
}

TEST(observability, the_status_page_shows_live_numbers_in_a_real_browser) {
    ASSERT_FALSE(capture("command -v chromium").empty()) << "chromium is missing (scripts/deps.sh)";
    monitored_server m;
    client c(m.server.port());
    for (int i = 0; i < 30; ++i) ASSERT_EQ(c.roundtrip(get("/"))->status, 200);
    // Virtual time runs the page's timers at once: two polls of status.json and their drawing.
    const std::string dom = capture(
        "timeout 60 chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=3000 "
        "--dump-dom http://127.0.0.1:" +
        std::to_string(m.metrics_port) + "/status 2>/dev/null");
    const size_t at = dom.find("id=\"requests\">");
    ASSERT_NE(at, std::string::npos) << dom;
    const long shown = std::strtol(dom.c_str() + at + 14, nullptr, 10);
    EXPECT_GE(shown, 30) << dom.substr(at, 40);
    EXPECT_NE(dom.find("id=\"serving\">serving<"), std::string::npos);
    EXPECT_NE(dom.find("id=\"generation\">1<"), std::string::npos);
    EXPECT_NE(dom.find("<polyline id=\"line\""), std::string::npos);
    EXPECT_NE(dom.find("id=\"state\">updated "), std::string::npos);
}
