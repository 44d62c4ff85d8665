#include "app/cli.hpp"

#include <gtest/gtest.h>

using namespace ringhttpd::app;

namespace {

// What parse_cli says about `args`.
std::string message(const std::vector<std::string>& args) {
    try {
        parse_cli(args);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(cli, defaults_match_nginx) {
    auto o = parse_cli({});
    ASSERT_EQ(o.cfg.listen.size(), 1u);
    EXPECT_EQ(o.cfg.listen[0].text(), "127.0.0.1:8080");
    EXPECT_EQ(o.root, "./static");
    EXPECT_EQ(o.cfg.client_max_body_size, 1024u * 1024u);
    EXPECT_EQ(o.cfg.threads, 0u);
}

TEST(cli, parses_every_flag_in_both_spellings) {
    auto o = parse_cli({"--listen", "0.0.0.0:9000", "--root=/srv", "--threads", "4",
                        "--client-max-body-size", "10m", "--max-request-line=4k",
                        "--max-header-size", "16k", "--recv-buffers", "256", "--recv-buffer-size",
                        "8k", "--shutdown-timeout", "500ms"});
    EXPECT_EQ(o.cfg.listen[0].host, "0.0.0.0");
    EXPECT_EQ(o.cfg.listen[0].port, 9000);
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

TEST(cli, a_port_alone_listens_on_every_ipv4_address_as_in_nginx) {
    for (const char* form : {"8080", ":8080"}) {
        auto o = parse_cli({"--listen", form});
        EXPECT_EQ(o.cfg.listen[0].text(), "0.0.0.0:8080") << form;
    }
}

TEST(cli, ipv6_listen_addresses) {
    auto o = parse_cli({"--listen", "[::1]:0"});
    EXPECT_EQ(o.cfg.listen[0].host, "::1");
    EXPECT_EQ(o.cfg.listen[0].port, 0);
    EXPECT_EQ(o.cfg.listen[0].text(), "[::1]:0");
}

TEST(cli, several_listen_addresses_ipv4_ipv6_and_unix_sockets) {
    auto o = parse_cli({"--listen", "8080,[::]:8080,unix:/run/ringhttpd.sock"});
    ASSERT_EQ(o.cfg.listen.size(), 3u);
    EXPECT_EQ(o.cfg.listen[0].text(), "0.0.0.0:8080");
    EXPECT_EQ(o.cfg.listen[1].text(), "[::]:8080");
    EXPECT_TRUE(o.cfg.listen[2].is_unix());
    EXPECT_EQ(o.cfg.listen[2].unix_path, "/run/ringhttpd.sock");
    EXPECT_EQ(o.cfg.listen[2].text(), "unix:/run/ringhttpd.sock");
}

TEST(cli, listen_addresses_marked_tls_as_ringhttpd_or_nginx_writes_it) {
    auto o = parse_cli({"--listen", "8080,0.0.0.0:8443 tls,[::]:8443 ssl,unix:/run/r.sock tls"});
    ASSERT_EQ(o.cfg.listen.size(), 4u);
    EXPECT_FALSE(o.cfg.listen[0].tls);
    EXPECT_TRUE(o.cfg.listen[1].tls);
    EXPECT_EQ(o.cfg.listen[1].port, 8443);
    EXPECT_EQ(o.cfg.listen[1].text(), "0.0.0.0:8443 tls");
    EXPECT_EQ(o.cfg.listen[2].text(), "[::]:8443 tls");  // nginx's `ssl`, written canonically
    EXPECT_EQ(o.cfg.listen[3].unix_path, "/run/r.sock");
    EXPECT_EQ(o.cfg.listen[3].text(), "unix:/run/r.sock tls");
    EXPECT_NE(message({"--listen", "8443 tsl"}).find("' tls'"), std::string::npos);
}

TEST(cli, tls_settings) {
    auto o = parse_cli({"--tls-certificate", "/etc/c.pem", "--tls-certificate-key", "/etc/c.key",
                        "--tls-ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256"});
    EXPECT_EQ(o.tls.certificates, std::vector<std::string>{"/etc/c.pem"});
    EXPECT_EQ(o.tls.keys, std::vector<std::string>{"/etc/c.key"});
    EXPECT_EQ(o.cfg.tls_ciphers, "ECDHE-ECDSA-AES128-GCM-SHA256");
    EXPECT_EQ(ringhttpd::config{}.tls_ciphers, "intermediate");
}

TEST(cli, help_and_version) {
    EXPECT_TRUE(parse_cli({"--help"}).show_help);
    EXPECT_TRUE(parse_cli({"-v"}).show_version);
}

TEST(cli, rejects_bad_input_with_a_message_naming_it) {
    EXPECT_NE(message({"--listen", "localhost"}).find("HOST:PORT"), std::string::npos);
    EXPECT_NE(message({"--listen", "h:port"}).find("[IPv6]:PORT"), std::string::npos);
    EXPECT_NE(message({"--listen", "h:70000"}).find("port out of range"), std::string::npos);
    EXPECT_NE(message({"--listen", "example.com:80"}).find("IPv4 or IPv6 literal"),
              std::string::npos);
    EXPECT_NE(message({"--listen", "::1:80"}).find("[IPv6]:PORT"), std::string::npos);
    EXPECT_NE(message({"--listen", "unix:"}).find("unix:/PATH"), std::string::npos);
    EXPECT_NE(message({"--listen", "unix:/" + std::string(200, 'x')}).find("too long"),
              std::string::npos);
    EXPECT_NE(message({"--threads", "0"}).find("--threads"), std::string::npos);
    EXPECT_NE(message({"--threads"}).find("needs a value"), std::string::npos);
    EXPECT_NE(message({"--recv-buffers", "100"}).find("power of two"), std::string::npos);
    EXPECT_NE(message({"--what"}).find("unknown option"), std::string::npos);
    EXPECT_NE(message({"--client-max-body-size", "1x"}).find("invalid"), std::string::npos);
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

TEST(cli, errors_name_the_flag_the_value_and_what_was_expected) {
    EXPECT_EQ(message({"--threads", "0"}), "--threads: '0' is out of range: expected 1 to 1024");
    EXPECT_EQ(message({"--max-request-line=2m"}),
              "--max-request-line: '2m' is out of range: expected 64 to 1m");
    EXPECT_EQ(message({"--send-timeout", "25h"}),
              "--send-timeout: '25h' is out of range: expected 1ms to 24h");
    EXPECT_EQ(message({"--gzip", "yes"}), "--gzip: expected on or off, got 'yes'");
    EXPECT_EQ(message({"--worker-wake", "poll"}),
              "--worker-wake: expected auto, msg-ring or eventfd, got 'poll'");
    EXPECT_EQ(message({"--limit-req-status", "500"}),
              "--limit-req-status: expected 429 or 503, got '500'");
    EXPECT_NE(message({"--expires", "soon"}).find("off, epoch, max or a time"), std::string::npos);
}

TEST(cli, unknown_flags_get_the_closest_name) {
    EXPECT_EQ(message({"--keepalive-timout", "5s"}),
              "unknown option '--keepalive-timout' (did you mean --keepalive-timeout?)");
    EXPECT_EQ(message({"--thread=4"}), "unknown option '--thread' (did you mean --threads?)");
    EXPECT_EQ(message({"--hlep"}), "unknown option '--hlep' (did you mean --help?)");
    EXPECT_EQ(message({"--what"}), "unknown option '--what'");  // nothing close: no guess
    EXPECT_EQ(message({"threads"}), "unknown option 'threads' (did you mean --threads?)");
    EXPECT_EQ(message({"--help=all"}), "--help takes no value");
}

TEST(cli, switches_take_no_value_but_accept_one_inline) {
    EXPECT_TRUE(parse_cli({"--debug-routes", "--gzip", "off"}).debug_routes);
    EXPECT_FALSE(parse_cli({"--debug-routes=off"}).debug_routes);
    EXPECT_FALSE(parse_cli({"--debug-routes", "--gzip", "off"}).files.gzip);
}

TEST(cli, static_file_and_limit_flags) {
    auto o = parse_cli({"--autoindex", "on", "--precompressed=off", "--expires", "1h",
                        "--limit-req", "600r/m", "--limit-req-burst", "5", "--limit-req-status",
                        "503", "--limit-conn", "10", "--security-headers", "off", "--server-tokens",
                        "on", "--max-connections", "100"});
    EXPECT_TRUE(o.files.autoindex);
    EXPECT_FALSE(o.files.precompressed);
    EXPECT_EQ(o.files.expires_s, 3600);
    EXPECT_DOUBLE_EQ(o.cfg.limit_req_rate, 10.0);
    EXPECT_EQ(o.cfg.limit_req_burst, 5u);
    EXPECT_EQ(o.cfg.limit_req_status, 503);
    EXPECT_EQ(o.cfg.limit_conn, 10u);
    EXPECT_FALSE(o.cfg.security_headers);
    EXPECT_TRUE(o.cfg.server_tokens);
    EXPECT_EQ(o.cfg.max_connections, 100u);
    EXPECT_EQ(parse_cli({"--expires", "epoch"}).files.expires_s, -1);
    EXPECT_EQ(parse_cli({"--expires", "max"}).files.expires_s, 315'360'000);
    EXPECT_FALSE(parse_cli({"--expires", "off"}).files.expires_s.has_value());
    EXPECT_THROW(parse_cli({"--limit-req", "0r/s"}), std::invalid_argument);
    EXPECT_THROW(parse_cli({"--limit-req", "10r/h"}), std::invalid_argument);
}

TEST(cli, help_lists_every_option_with_its_default_in_100_columns) {
    const std::string help = usage();
    EXPECT_NE(help.find("--listen [HOST:]PORT"), std::string::npos);
    EXPECT_NE(help.find("(default: 127.0.0.1:8080)"), std::string::npos);
    EXPECT_NE(help.find("(default: 1m)"), std::string::npos);
    EXPECT_NE(help.find("(default: 8k; range: 64 to 1m)"), std::string::npos);
    EXPECT_NE(help.find("-h, --help"), std::string::npos);
    EXPECT_EQ(help.find("--help-markdown"), std::string::npos);  // for the docs script only
    EXPECT_EQ(help.find_first_of("`*"), std::string::npos);      // markdown marks stay in the docs
    for (const option& o : option_table())
        EXPECT_NE(help.find("\n  " + synopsis(o)), std::string::npos) << o.name;
    size_t start = 0;
    while (start < help.size()) {
        size_t end = help.find('\n', start);
        EXPECT_LE(end - start, 100u) << help.substr(start, end - start);
        start = end + 1;
    }
}
