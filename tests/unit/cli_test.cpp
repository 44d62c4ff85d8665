#include "app/cli.hpp"

#include <gtest/gtest.h>

using namespace ringhttpd::app;

TEST(cli, defaults_match_nginx) {
    auto o = parse_cli({});
    EXPECT_EQ(o.cfg.listen_host, "127.0.0.1");
    EXPECT_EQ(o.cfg.listen_port, 8080);
    EXPECT_EQ(o.root, "./static");
    EXPECT_EQ(o.cfg.client_max_body_size, 1024u * 1024u);
    EXPECT_EQ(o.cfg.threads, 0u);
}

TEST(cli, parses_every_flag_in_both_spellings) {
    auto o = parse_cli({"--listen", "0.0.0.0:9000", "--root=/srv", "--threads", "4",
                        "--client-max-body-size", "10m", "--max-request-line=4k",
                        "--max-header-size", "16k", "--recv-buffers", "256", "--recv-buffer-size",
                        "8k", "--shutdown-timeout", "500ms"});
    EXPECT_EQ(o.cfg.listen_host, "0.0.0.0");
    EXPECT_EQ(o.cfg.listen_port, 9000);
    EXPECT_EQ(o.root, "/srv");
    EXPECT_EQ(o.cfg.threads, 4u);
    EXPECT_EQ(o.cfg.client_max_body_size, 10u * 1024 * 1024);
    EXPECT_EQ(o.cfg.max_request_line, 4096u);
    EXPECT_EQ(o.cfg.max_header_size, 16384u);
    EXPECT_EQ(o.cfg.recv_buffers, 256u);
    EXPECT_EQ(o.cfg.recv_buffer_size, 8192u);
    EXPECT_EQ(o.cfg.shutdown_timeout_ms, 500u);
}

TEST(cli, timeouts_have_nginx_names_and_defaults) {
    auto d = parse_cli({});
    EXPECT_EQ(d.cfg.client_header_timeout_ms, 60000u);
    EXPECT_EQ(d.cfg.client_body_timeout_ms, 60000u);
    EXPECT_EQ(d.cfg.send_timeout_ms, 60000u);
    EXPECT_EQ(d.cfg.keepalive_timeout_ms, 75000u);
    EXPECT_EQ(d.cfg.keepalive_requests, 1000u);
    auto o =
        parse_cli({"--client-header-timeout", "500ms", "--client-body-timeout", "2s",
                   "--send-timeout=1m", "--keepalive-timeout", "0", "--keepalive-requests", "5"});
    EXPECT_EQ(o.cfg.client_header_timeout_ms, 500u);
    EXPECT_EQ(o.cfg.client_body_timeout_ms, 2000u);
    EXPECT_EQ(o.cfg.send_timeout_ms, 60000u);
    EXPECT_EQ(o.cfg.keepalive_timeout_ms, 0u);
    EXPECT_EQ(o.cfg.keepalive_requests, 5u);
    EXPECT_THROW(parse_cli({"--send-timeout", "0"}), std::invalid_argument);
    EXPECT_THROW(parse_cli({"--keepalive-requests", "0"}), std::invalid_argument);
    // --shutdown-timeout is checked like the others (it used to clamp 25h to a day silently).
    EXPECT_THROW(parse_cli({"--shutdown-timeout", "25h"}), std::invalid_argument);
    EXPECT_THROW(parse_cli({"--shutdown-timeout", "0"}), std::invalid_argument);
    EXPECT_EQ(parse_cli({"--shutdown-timeout", "24h"}).cfg.shutdown_timeout_ms, 86'400'000u);
}

TEST(cli, ipv6_listen_addresses) {
    auto o = parse_cli({"--listen", "[::1]:0"});
    EXPECT_EQ(o.cfg.listen_host, "[::1]");
    EXPECT_EQ(o.cfg.listen_port, 0);
}

TEST(cli, help_and_version) {
    EXPECT_TRUE(parse_cli({"--help"}).show_help);
    EXPECT_TRUE(parse_cli({"-v"}).show_version);
}

TEST(cli, rejects_bad_input_with_a_message_naming_it) {
    auto message = [](std::vector<std::string> args) {
        try {
            parse_cli(args);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message({"--listen", "8080"}).find("HOST:PORT"), std::string::npos);
    EXPECT_NE(message({"--listen", "h:70000"}).find("port out of range"), std::string::npos);
    EXPECT_NE(message({"--threads", "0"}).find("--threads"), std::string::npos);
    EXPECT_NE(message({"--threads"}).find("needs a value"), std::string::npos);
    EXPECT_NE(message({"--recv-buffers", "100"}).find("power of two"), std::string::npos);
    EXPECT_NE(message({"--what"}).find("unknown option"), std::string::npos);
    EXPECT_NE(message({"--client-max-body-size", "1x"}).find("invalid"), std::string::npos);
}

TEST(cli, sizes_and_durations_use_nginx_syntax) {
    EXPECT_EQ(parse_size("512"), 512u);
    EXPECT_EQ(parse_size("8k"), 8192u);
    EXPECT_EQ(parse_size("1M"), 1048576u);
    EXPECT_EQ(parse_size("2g"), 2147483648u);
    EXPECT_EQ(parse_duration_ms("30s"), 30000u);
    EXPECT_EQ(parse_duration_ms("30"), 30000u);
    EXPECT_EQ(parse_duration_ms("250ms"), 250u);
    EXPECT_EQ(parse_duration_ms("2m"), 120000u);
    EXPECT_EQ(parse_duration_ms("1h"), 3600000u);
    EXPECT_THROW(parse_size("99999999999999999999k"), std::invalid_argument);
    EXPECT_THROW(parse_duration_ms("soon"), std::invalid_argument);
}

TEST(cli, worker_pool_flags) {
    auto d = parse_cli({});
    EXPECT_EQ(d.cfg.workers, 0u);  // automatic
    EXPECT_EQ(d.cfg.worker_queue, 1024u);
    EXPECT_EQ(d.cfg.wake, ringhttpd::worker_wake::automatic);
    EXPECT_FALSE(d.debug_routes);
    auto o = parse_cli(
        {"--workers", "3", "--worker-queue=10", "--worker-wake", "eventfd", "--debug-routes"});
    EXPECT_EQ(o.cfg.workers, 3u);
    EXPECT_EQ(o.cfg.worker_queue, 10u);
    EXPECT_EQ(o.cfg.wake, ringhttpd::worker_wake::eventfd);
    EXPECT_TRUE(o.debug_routes);
    EXPECT_EQ(parse_cli({"--worker-wake", "msg-ring"}).cfg.wake, ringhttpd::worker_wake::msg_ring);
    EXPECT_THROW(parse_cli({"--workers", "0"}), std::invalid_argument);
    EXPECT_THROW(parse_cli({"--worker-queue", "0"}), std::invalid_argument);
    EXPECT_THROW(parse_cli({"--worker-wake", "poll"}), std::invalid_argument);
}

TEST(cli, open_file_cache_size) {
    EXPECT_EQ(parse_cli({}).files.open_file_cache, 10'000u);
    EXPECT_EQ(parse_cli({"--open-file-cache", "0"}).files.open_file_cache, 0u);  // off
    EXPECT_EQ(parse_cli({"--open-file-cache=250000"}).files.open_file_cache, 250'000u);
    EXPECT_THROW(parse_cli({"--open-file-cache", "many"}), std::invalid_argument);
    EXPECT_THROW(parse_cli({"--open-file-cache", "20000000"}), std::invalid_argument);
}
