#pragma once
// The option table: every setting of the ringhttpd binary, declared once with its name, scope,
// value syntax, bounds, default and help. The command line (cli.cpp), --help and the reference
// in docs/configuration.md (options_reference.cpp) are made from it; the config file will read
// the same names with '_' for '-'.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ringhttpd/config.hpp"
#include "ringhttpd/static_files.hpp"

namespace ringhttpd::app {

// The server limits a site or location may set for its own requests, as nginx allows
// client_max_body_size, limit_req and limit_conn in server and location blocks. Unset: the
// level above's (for limit_req and limit_conn: its zone, shared).
struct place_limit_settings {
    std::optional<uint64_t> client_max_body_size;
    std::optional<double> limit_req_rate;  // limit_req, with its burst and status beside it
    std::optional<uint32_t> limit_req_burst;
    std::optional<int> limit_req_status;
    std::optional<uint32_t> limit_conn;  // requests in flight per client
};

// `location PATH { ... }` in the file ([[location]], [[site.location]]).
struct location_settings {
    std::string path;    // as written: "/prefix/" or "= /exact"
    std::string root;    // files under it; empty: the site's root
    bool alias = false;  // root stands for the location's path (nginx alias), not for "/"
    static_files_options files;
    std::optional<int> return_status;  // `return = "301 https://example.com$uri"`
    std::string return_text;
    std::string handler;  // a built-in handler answering here instead of files: "api"
    header_list add_headers;
    place_limit_settings limits;
    std::optional<bool> access_log;  // false: not logged (nginx `access_log off;`); unset: site's
};

// What a site sets for its TLS listeners. A [[site]] starts from the top level's.
struct site_tls_settings {
    std::vector<std::string> certificates;    // tls_certificate: PEM chains, one per key type
    std::vector<std::string> keys;            // tls_certificate_key: their keys, in that order
    std::vector<std::string> ocsp_responses;  // tls_ocsp_response: DER, in that order; may be fewer
    std::string client_ca;                    // tls_client_certificate
    verify_client verify = verify_client::off;
    std::string hsts;  // the Strict-Transport-Security value sent over TLS; "": none

    // The same certificates and client checks: a site that shares them shares the default
    // site's OpenSSL context.
    bool same_context(const site_tls_settings& other) const {
        return certificates == other.certificates && keys == other.keys &&
               ocsp_responses == other.ocsp_responses && client_ca == other.client_ca &&
               verify == other.verify;
    }
};

// `[[site]]` in the file: a virtual host. Unset settings are the top level's.
struct site_settings {
    std::vector<std::string> names;      // server_name: "example.com", "*.example.com"
    std::vector<listen_address> listen;  // empty: the top level's addresses
    site_tls_settings tls;               // chosen by SNI

    std::string root;
    static_files_options files;
    header_list add_headers;
    place_limit_settings limits;
    std::optional<bool> access_log;  // false: not logged; unset: logged
    std::vector<location_settings> locations;
};

// What the options set: the server's configuration, and what the app serves with it. Default
// constructed, it holds the defaults the table shows.
struct cli_options {
    config cfg;
    std::string root = "./static";
    static_files_options files;
    site_tls_settings tls;  // the default site's: for clients without SNI or with an unknown name
    // From the configuration file only: the default site's locations and headers, and more
    // sites chosen by Host.
    std::vector<location_settings> locations;
    header_list add_headers;
    std::vector<site_settings> sites;
    // The monitoring listener (/metrics, /status, /healthz, /readyz); nullopt: none.
    std::optional<listen_address> metrics_listen;
    // /debug/delay and /debug/spin (blocking test handlers): for tests and benchmarks only.
    bool debug_routes = false;
    // The error log's threshold, nginx's names: debug, info, notice, warn, error, crit.
    std::string log_level = "info";
    // Command-line actions rather than settings (cli.cpp).
    std::string config_file;   // -c FILE: settings read before the flags (config_file.hpp)
    bool test_config = false;  // -t: check everything, report, exit
    bool dump_config = false;  // -T: print the effective configuration as TOML, exit
    bool show_help = false;
    bool show_version = false;
    bool show_reference = false;  // --help-markdown: the docs' option reference
};

// What a setting applies to. One of each today; the config file will repeat sites.
enum class scope {
    server,  // the process: listener, limits, timeouts, threads
    site,    // what is served
    app,     // this binary's extras
};
// In the order --help and the docs list them.
inline constexpr scope all_scopes[] = {scope::server, scope::site, scope::app};

// The numbers a numeric option accepts, both ends included.
struct bounds {
    uint64_t min;
    uint64_t max;
};

// How a setting is written, checked, stored and shown.
struct option_value {
    // What follows the flag in --help: "SIZE", "on|off", "HOST:PORT". Empty: a switch, set
    // by naming it on the command line.
    std::string placeholder;
    // Numbers: what parse accepts, written as `format_bound` writes it.
    std::optional<bounds> range = std::nullopt;
    std::string (*format_bound)(uint64_t) = nullptr;
    // Stores the setting `text` spells into `into`, or throws std::invalid_argument saying
    // what came and what was expected (the caller adds which setting).
    std::function<void(std::string_view text, cli_options& into)> parse;
    // The setting as `from` holds it, as it is written ("1m", "on"), or in words where it is
    // worked out at run time ("CPUs this process may use").
    std::function<std::string(const cli_options& from)> show;
};

// Whether a reload applies a server-scope setting (site and app settings always apply).
enum class reload_applies { no, yes };

struct option {
    std::string_view name;  // the flag without "--"
    scope where;
    std::string_view help;  // one line; `code` in backticks
    option_value value;
    reload_applies on_reload = reload_applies::no;
};

std::span<const option> option_table();
// The option called `name` (no leading "--"), or nullptr.
const option* find_option(std::string_view name);

// The keys of the server-scope settings that differ between `running` and `next`: those a
// reload cannot change (threads, limits and timeouts are fixed at start; listen is applied).
std::vector<std::string> restart_needed(const cli_options& running, const cli_options& next);

// The option's key in the configuration file: its name with '_' for '-'.
std::string config_key(std::string_view option_name);
// "--listen HOST:PORT", "--debug-routes".
std::string synopsis(const option& o);
// The default, from a default-constructed cli_options.
std::string default_text(const option& o);
// "1 to 1024", "64 to 1m"; empty when the option is not a bounded number.
std::string range_text(const option& o);
// How --help and the docs head a scope's options.
std::string_view scope_title(scope s);

}  // namespace ringhttpd::app
