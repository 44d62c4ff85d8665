// The TOML configuration file: keys from the option table, errors with FILE:LINE:COLUMN.

#include "app/config_file.hpp"

#include <gtest/gtest.h>

#include "app/app_routes.hpp"
#include "app/cli.hpp"
#include "app/option_values.hpp"

using namespace ringhttpd;
using namespace ringhttpd::app;

namespace {

cli_options from(std::string_view text) {
    cli_options o;
    apply_config_text(text, "site.toml", o);
    return o;
}

// The message a file gets, or "" when it applies.
std::string error_of(std::string_view text) {
    try {
        from(text);
    } catch (const config_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(config_file, keys_are_option_names_with_underscores_in_every_value_type) {
    auto o = from(R"(
listen = "0.0.0.0:9000"
root = "/srv/www"
threads = 4                     # a whole number
client_max_body_size = "8m"     # nginx syntax
keepalive_timeout = 30          # seconds, as on the command line
server_tokens = true            # on|off settings are booleans
gzip = false
expires = "1h"
limit_req = "10r/s"
debug_routes = true             # a switch
)");
    EXPECT_EQ(o.cfg.listen[0].text(), "0.0.0.0:9000");
    EXPECT_EQ(o.root, "/srv/www");
    EXPECT_EQ(o.cfg.threads, 4u);
    EXPECT_EQ(o.cfg.client_max_body_size, 8u * 1024 * 1024);
    EXPECT_EQ(o.cfg.keepalive_timeout_ms, 30'000u);
    EXPECT_TRUE(o.cfg.server_tokens);
    EXPECT_FALSE(o.files.gzip);
    EXPECT_EQ(o.files.expires_s, 3600);
    EXPECT_DOUBLE_EQ(o.cfg.limit_req_rate, 10.0);
    EXPECT_TRUE(o.debug_routes);
}

TEST(config_file, a_port_alone_is_a_listen_address) {
    EXPECT_EQ(from("listen = 8080").cfg.listen[0].text(), "0.0.0.0:8080");
    EXPECT_EQ(from("listen = \":8081\"").cfg.listen[0].port, 8081);
    EXPECT_EQ(from("listen = \"[::1]:8082\"").cfg.listen[0].host, "::1");
}

TEST(config_file, listen_takes_a_list_and_sites_have_addresses_of_their_own) {
    auto o = from(R"(
listen = ["0.0.0.0:8080", "[::]:8080", "unix:/run/ringhttpd.sock"]
[[site]]
server_name = "admin.example.com"
listen = "127.0.0.1:9000"
[[site]]
server_name = "b.example.com"
listen = ["9001", "[::1]:9001"]
)");
    ASSERT_EQ(o.cfg.listen.size(), 3u);
    EXPECT_EQ(o.cfg.listen[2].unix_path, "/run/ringhttpd.sock");
    ASSERT_EQ(o.sites[0].listen.size(), 1u);
    EXPECT_EQ(o.sites[0].listen[0].text(), "127.0.0.1:9000");
    EXPECT_EQ(o.sites[1].listen.size(), 2u);
    EXPECT_EQ(listen_list_text(listen_addresses(o)),
              "0.0.0.0:8080,[::]:8080,unix:/run/ringhttpd.sock,127.0.0.1:9000,0.0.0.0:9001,[::1]:"
              "9001");
    EXPECT_NE(effective_config(o).find(
                  "listen = [\"0.0.0.0:8080\", \"[::]:8080\", \"unix:/run/ringhttpd.sock\"]"),
              std::string::npos);
    EXPECT_EQ(error_of("[[site]]\nserver_name = \"a\"\nlisten = \"example.com:80\"\n"),
              "site.toml:3:10: listen: invalid listen address 'example.com:80': the host must be "
              "an IPv4 or IPv6 literal or localhost (e.g. 0.0.0.0:8080 or [::]:8080)");
    EXPECT_EQ(error_of("listen = [\"8080\", \"nowhere\"]\n"),
              "site.toml:1:10: listen: expected PORT, :PORT, HOST:PORT, [IPv6]:PORT or unix:/PATH, "
              "then ' tls' for a TLS listener (e.g. 8080, 127.0.0.1:8080, [::]:8080, "
              "unix:/run/ringhttpd.sock or 0.0.0.0:8443 tls), got 'nowhere'");
}

TEST(config_file, unknown_keys_name_the_place_and_the_key_meant) {
    EXPECT_EQ(error_of("threads = 2\nkeepalive_timout = \"5s\"\n"),
              "site.toml:2:1: unknown key 'keepalive_timout' (did you mean keepalive_timeout?); "
              "every key is listed in docs/configuration.md");
    // The command line's spelling is not the file's.
    EXPECT_NE(error_of("client-max-body-size = \"1m\"").find("did you mean client_max_body_size"),
              std::string::npos);
    // Commands are not settings.
    EXPECT_NE(error_of("help = true").find("unknown key 'help'"), std::string::npos);
}

TEST(config_file, bad_values_name_the_place_the_key_and_what_would_do) {
    EXPECT_EQ(error_of("\n  threads = 0"),
              "site.toml:2:13: threads: '0' is out of range: expected 1 to 1024");
    EXPECT_EQ(error_of("gzip = [1, 2]"), "site.toml:1:8: gzip: expected true or false, got a list");
    EXPECT_EQ(error_of("client_max_body_size = 1.5"),
              "site.toml:1:24: client_max_body_size: expected a string or a whole number, like "
              "\"1m\", got a decimal number");
    EXPECT_NE(error_of("gzip = \"maybe\"").find("site.toml:1:8: gzip: "), std::string::npos);
}

TEST(config_file, syntax_errors_name_the_place) {
    EXPECT_EQ(error_of("threads = 2\nroot = \"unterminated\n").rfind("site.toml:2:", 0), 0u);
    EXPECT_EQ(error_of("threads = 2\nthreads = 3\n").rfind("site.toml:2:", 0), 0u);  // duplicate
}

TEST(config_file, a_file_that_fails_changes_nothing) {
    cli_options o;
    o.root = "/before";
    EXPECT_THROW(apply_config_text("root = \"/after\"\nthreads = 0\n", "f", o), config_error);
    EXPECT_EQ(o.root, "/before");
}

TEST(config_file, an_unreadable_file_is_named) {
    cli_options o;
    try {
        apply_config_file("/nonexistent/ringhttpd.toml", o);
        FAIL() << "no error";
    } catch (const config_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("/nonexistent/ringhttpd.toml: cannot read", 0), 0u);
    }
}

TEST(config_file, flags_override_the_file_which_overrides_defaults) {
    cli_options file = from("threads = 3\nroot = \"/from-file\"\n");
    cli_options o = parse_cli({"-c", "x.toml", "--root", "/from-flag"}, file);
    EXPECT_EQ(o.config_file, "x.toml");
    EXPECT_EQ(o.root, "/from-flag");                                   // the flag
    EXPECT_EQ(o.cfg.threads, 3u);                                      // the file
    EXPECT_EQ(o.cfg.keepalive_requests, config{}.keepalive_requests);  // the default
}

TEST(config_file, the_effective_configuration_reads_back_to_itself) {
    std::vector<cli_options> configurations(1);  // the defaults
    configurations.push_back(
        parse_cli({"--threads", "2", "--gzip", "off", "--expires", "epoch", "--limit-req", "600r/m",
                   "--listen", "[::1]:0", "--root", "/a \"quoted\" path", "--debug-routes"}));
    for (const cli_options& o : configurations) {
        const std::string text = effective_config(o);
        cli_options back;
        ASSERT_NO_THROW(apply_config_text(text, "dump.toml", back)) << text;
        EXPECT_EQ(effective_config(back), text);
    }
    // Values worked out at run time are comments, not settings.
    const std::string defaults = effective_config(configurations.front());
    EXPECT_NE(defaults.find("# threads: CPUs this process may use"), std::string::npos);
}

TEST(config_file, the_shipped_example_is_valid) {
    cli_options o;
    ASSERT_NO_THROW(apply_config_file(RINGHTTPD_SOURCE_DIR "/examples/ringhttpd.toml", o));
    EXPECT_EQ(o.root, "/srv/www");
    EXPECT_EQ(o.cfg.listen[0].host, "0.0.0.0");
}

TEST(config_file, sites_and_locations_inherit_and_read_back) {
    auto o = from(R"(
root = "/srv/default"
expires = "1h"
add_header = { "X-Frame-Options" = "DENY" }

[[location]]
path = "= /health"
return = "200 ok"

[[site]]
server_name = ["Example.com", "*.example.com"]
root = "/srv/example"

  [[site.location]]
  path = "/assets/"
  alias = "/srv/assets/"
  gzip = false

  [[site.location]]
  path = "/old/"
  return = "301 https://example.com$request_uri"
)");
    ASSERT_EQ(o.locations.size(), 1u);
    EXPECT_EQ(o.locations[0].return_status, 200);
    EXPECT_EQ(o.locations[0].return_text, "ok");
    ASSERT_EQ(o.sites.size(), 1u);
    const site_settings& site = o.sites[0];
    EXPECT_EQ(site.names, (std::vector<std::string>{"example.com", "*.example.com"}));
    EXPECT_EQ(site.root, "/srv/example");
    EXPECT_EQ(site.files.expires_s, 3600);  // inherited from the top level
    ASSERT_EQ(site.locations.size(), 2u);
    EXPECT_TRUE(site.locations[0].alias);
    EXPECT_EQ(site.locations[0].root, "/srv/assets/");
    EXPECT_FALSE(site.locations[0].files.gzip);
    EXPECT_EQ(site.locations[0].files.expires_s, 3600);  // inherited from the site
    EXPECT_EQ(o.add_headers.at(0).second, "DENY");

    const std::string dumped = effective_config(o);
    cli_options back;
    ASSERT_NO_THROW(apply_config_text(dumped, "dump.toml", back)) << dumped;
    EXPECT_EQ(effective_config(back), dumped);
}

TEST(config_file, site_and_location_errors_name_their_place) {
    EXPECT_EQ(error_of("[[site]]\nroot = \"/x\"\n"),
              "site.toml:1:1: a [[site]] needs server_name = \"example.com\" (or a list)");
    EXPECT_EQ(error_of("[[site]]\nserver_name = \"a.com\"\nthreads = 2\n"),
              "site.toml:3:1: threads is a server setting: set it at the top level of the file");
    EXPECT_NE(error_of("[[site]]\nserver_name = \"a.com\"\nrot = \"/x\"\n")
                  .find("site.toml:3:1: unknown key 'rot' (did you mean root?)"),
              std::string::npos);
    EXPECT_EQ(error_of("[[site]]\nserver_name = \"a b\"\n"),
              "site.toml:2:15: server_name: 'a b' is not a host name; use example.com or "
              "*.example.com");
    EXPECT_EQ(error_of("[[location]]\npath = \"x\"\n"),
              "site.toml:2:8: path: expected \"/prefix/\" or \"= /exact\", got 'x'");
    EXPECT_EQ(error_of("[[location]]\nreturn = 404\n"),
              "site.toml:1:1: a location needs a path: path = \"/prefix/\"");
    EXPECT_NE(error_of("[[location]]\npath = \"/a/\"\nroot = \"/r\"\nalias = \"/s\"\n")
                  .find("root or alias, not both"),
              std::string::npos);
    EXPECT_EQ(error_of("[[location]]\npath = \"/a\"\nreturn = \"301\"\n"),
              "site.toml:3:10: return: a redirect needs a URL: \"301 "
              "https://example.com$request_uri\"");
    EXPECT_NE(error_of("[[location]]\npath = \"/a\"\nreturn = \"99 x\"\n").find("CODE from 200"),
              std::string::npos);
    EXPECT_NE(error_of("add_header = { \"Bad Name\" = \"x\" }").find("is not a header name"),
              std::string::npos);
    EXPECT_NE(error_of("add_header = { \"X-A\" = \"a\\nb\" }").find("must not hold CR, LF"),
              std::string::npos);
}

TEST(config_file, trusted_proxies_are_a_list) {
    auto o = from("real_ip_from = [\"10.0.0.0/8\", \"::1\"]\nreal_ip_header = \"X-Real-IP\"\n");
    EXPECT_EQ(o.cfg.real_ip_from, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
    EXPECT_EQ(o.cfg.real_ip_header, "X-Real-IP");
    EXPECT_EQ(error_of("real_ip_from = [\"10.0.0.0/40\"]"),
              "site.toml:1:16: real_ip_from: expected addresses or CIDR ranges like 10.0.0.0/8 "
              "or ::1, got '10.0.0.0/40'");
    cli_options back;
    apply_config_text(effective_config(o), "dump.toml", back);
    EXPECT_EQ(back.cfg.real_ip_from, o.cfg.real_ip_from);
}

TEST(config_file, sites_and_locations_set_their_own_limits_and_handlers) {
    auto o = from(R"(
client_max_body_size = "1m"
index = ["index.htm", "default.html"]

[[location]]
path = "/api/"
handler = "api"
client_max_body_size = "16k"
limit_req = "5r/s"
limit_req_burst = 2
limit_req_status = 503

[[site]]
server_name = "example.com"
client_max_body_size = "8m"
limit_conn = 4

  [[site.location]]
  path = "/upload/"
  client_max_body_size = "100m"
  limit_conn = 1
)");
    EXPECT_EQ(o.cfg.client_max_body_size, 1024u * 1024);  // the top level's is the server's
    EXPECT_EQ(o.files.index, (std::vector<std::string>{"index.htm", "default.html"}));
    ASSERT_EQ(o.locations.size(), 1u);
    const location_settings& api = o.locations[0];
    EXPECT_EQ(api.handler, "api");
    EXPECT_EQ(api.limits.client_max_body_size, 16u * 1024);
    EXPECT_DOUBLE_EQ(api.limits.limit_req_rate.value_or(0), 5.0);
    EXPECT_EQ(api.limits.limit_req_burst, 2u);
    EXPECT_EQ(api.limits.limit_req_status, 503);
    EXPECT_FALSE(api.limits.limit_conn);
    ASSERT_EQ(o.sites.size(), 1u);
    const site_settings& site = o.sites[0];
    EXPECT_EQ(site.limits.client_max_body_size, 8u * 1024 * 1024);
    EXPECT_EQ(site.limits.limit_conn, 4u);
    EXPECT_FALSE(site.limits.limit_req_rate);
    EXPECT_EQ(site.files.index, o.files.index);  // inherited like every file setting
    ASSERT_EQ(site.locations.size(), 1u);
    EXPECT_EQ(site.locations[0].limits.client_max_body_size, 100u * 1024 * 1024);
    EXPECT_EQ(site.locations[0].limits.limit_conn, 1u);

    const std::string dumped = effective_config(o);
    EXPECT_NE(dumped.find("handler = \"api\"\nclient_max_body_size = \"16k\"\nlimit_req = "
                          "\"5r/s\"\nlimit_req_burst = 2\nlimit_req_status = 503\n"),
              std::string::npos)
        << dumped;
    cli_options back;
    ASSERT_NO_THROW(apply_config_text(dumped, "dump.toml", back)) << dumped;
    EXPECT_EQ(effective_config(back), dumped);
}

TEST(config_file, limit_handler_and_index_errors_name_their_place) {
    EXPECT_EQ(error_of("[[location]]\npath = \"/a/\"\nhandler = \"apj\"\n"),
              "site.toml:3:11: handler: no built-in handler 'apj' (did you mean api?); expected "
              "api, health or metrics");
    EXPECT_EQ(error_of("[[location]]\npath = \"/a/\"\nhandler = \"api\"\nreturn = 404\n"),
              "site.toml:1:1: a location with a handler serves no files and returns nothing "
              "else: leave out root, alias and return");
    EXPECT_EQ(error_of("[[location]]\npath = \"/a/\"\nlimit_req_burst = 3\n"),
              "site.toml:3:19: limit_req_burst goes with limit_req in the same table: add "
              "limit_req = \"10r/s\" beside it");
    EXPECT_EQ(error_of("[[site]]\nserver_name = \"a.com\"\nlimit_req_status = 503\n"),
              "site.toml:3:20: limit_req_status goes with limit_req in the same table: add "
              "limit_req = \"10r/s\" beside it");
    EXPECT_EQ(error_of("[[location]]\npath = \"/a/\"\nlimit_req = \"fast\"\n"),
              "site.toml:3:13: limit_req: expected a rate like 10r/s or 600r/m, got 'fast'");
    EXPECT_EQ(error_of("[[site]]\nserver_name = \"a.com\"\nlimit_conn = 0\n"),
              "site.toml:3:14: limit_conn: '0' is out of range: expected 1 to 1000000");
    EXPECT_EQ(error_of("[[location]]\npath = \"/a/\"\nclient_max_body_size = 1.5\n"),
              "site.toml:3:24: client_max_body_size: expected a string or a whole number, like "
              "\"1m\", got a decimal number");
    EXPECT_NE(error_of("[[location]]\npath = \"/a/\"\nclient_max_body_siz = \"1k\"\n")
                  .find("site.toml:3:1: unknown key 'client_max_body_siz' (did you mean "
                        "client_max_body_size?)"),
              std::string::npos);
    EXPECT_NE(error_of("[[location]]\npath = \"/a/\"\nhandlr = \"api\"\n")
                  .find("site.toml:3:1: unknown key 'handlr' (did you mean handler?)"),
              std::string::npos);
    EXPECT_EQ(
        error_of("index = [\"a/b.html\"]"),
        "site.toml:1:9: index: expected file names like index.html,index.htm, got 'a/b.html'");
    // The server's other settings stay at the top level.
    EXPECT_EQ(error_of("[[location]]\npath = \"/a/\"\nkeepalive_timeout = 5\n"),
              "site.toml:3:1: keepalive_timeout is a server setting: set it at the top level of "
              "the file");
}

TEST(config_file, a_place_turns_its_access_log_off_and_only_that) {
    auto o = from(R"(
[[location]]
path = "= /health"
access_log = false
[[site]]
server_name = "a.example"
access_log = "off"
)");
    EXPECT_EQ(o.locations[0].access_log, false);
    EXPECT_EQ(o.sites[0].access_log, false);
    cli_options back;
    apply_config_text(effective_config(o), "dump.toml", back);
    EXPECT_EQ(back.locations[0].access_log, false);
    EXPECT_EQ(error_of("[[location]]\npath = \"/\"\naccess_log = \"/var/log/a.log\"\n"),
              "site.toml:3:14: access_log: in a site or location, expected false (\"off\") or "
              "true (\"on\"); where lines go is set at the top level, got '/var/log/a.log'");
}
