#include "app/options.hpp"

#include <algorithm>
#include <vector>

#include "app/option_values.hpp"

namespace ringhttpd::app {
namespace {

constexpr uint64_t mib = 1024 * 1024;
constexpr uint64_t a_day_ms = 24ull * 3600 * 1000;

// Timeouts: at least a millisecond, at most a day.
constexpr bounds timeout{1, a_day_ms};

// In the order --help and the docs list them, scope by scope.
std::vector<option> make_table() {
    using s = scope;
    return {
        {"listen", s::server,
         "addresses, comma-separated (a list in the file): `HOST:PORT`, `[::]:8080` for IPv6, "
         "`8080` / `:8080` for every IPv4 address (as nginx's `listen 8080`), or "
         "`unix:/PATH`; port `0` picks a free port and logs it. ` tls` after an address "
         "makes it speak HTTPS (`0.0.0.0:8443 tls`; nginx's ` ssl` works too; see "
         "`tls-certificate`). A reload binds added addresses and closes removed ones",
         listen_addresses(&config::listen), reload_applies::yes},

        {"tls-ciphers", s::server,
         "TLS 1.2 cipher list in OpenSSL's syntax (nginx `ssl_ciphers`), or `intermediate`: "
         "Mozilla's intermediate list. TLS 1.3 suites are OpenSSL's defaults",
         plain_text(&config::tls_ciphers, "LIST")},
        {"tls-session-ticket-rotate", s::server,
         "session tickets get a new key this often; a ticket is good for one period, and its "
         "key opens it for two at most (then a full handshake). The keys outlive reloads, so "
         "sessions resume across one. Caddy rotates every 12h; nginx never",
         number(&config::tls_session_ticket_rotate_ms, time_unit, bounds{1000, 7 * a_day_ms})},
        {"tls-ktls", s::server,
         "kTLS: after each handshake the kernel encrypts what the connection sends, so files go "
         "out with `sendfile` (Linux's `tls` module; a cipher the kernel lacks stays in user "
         "space). "
         "`auto` uses it where the kernel takes the keys, `on` refuses to start without it, "
         "`off` keeps every byte in user space. The startup line says which path each TLS "
         "listener takes",
         choice(&config::tls_ktls,
                std::vector<named<kernel_tls_mode>>{{"auto", kernel_tls_mode::automatic},
                                                    {"on", kernel_tls_mode::on},
                                                    {"off", kernel_tls_mode::off}})},
        {"tls-handshake-offload", s::server,
         "full TLS handshakes (the certificate's signature, the key exchange) go on on the "
         "worker pool after the ClientHello, so that a ring's other connections do not wait "
         "for them (an RSA 2048 signature takes about 0.8 ms); resumed ones stay on the ring",
         on_off(&config::tls_handshake_offload)},
        {"threads", s::server,
         "ring threads, each pinned to one CPU (honours `taskset` and cgroup cpusets)",
         number(&config::threads, count_unit, bounds{1, 1024}, "CPUs this process may use")},
        {"max-connections", s::server,
         "open connections per process; at the limit new clients wait in the listen backlog",
         number(&config::max_connections, count_unit, bounds{1, 100'000'000},
                "the open-file limit less 64")},
        {"client-max-body-size", s::server,
         "larger request bodies get 413 (nginx `client_max_body_size`)",
         number(&config::client_max_body_size, size_unit, std::nullopt)},
        {"max-request-line", s::server,
         "longer request targets get 414 (nginx `large_client_header_buffers` size)",
         number(&config::max_request_line, size_unit, bounds{64, mib})},
        {"max-header-size", s::server, "larger header sections get 431 (nginx: 4 x 8k)",
         number(&config::max_header_size, size_unit, bounds{256, 16 * mib})},
        {"client-header-timeout", s::server,
         "the whole request head must arrive within it, counted from its first byte, else 408",
         number(&config::client_header_timeout_ms, time_unit, timeout)},
        {"client-body-timeout", s::server,
         "longest wait between two reads of a request body, else 408",
         number(&config::client_body_timeout_ms, time_unit, timeout)},
        {"send-timeout", s::server,
         "a client that takes no response bytes for this long is disconnected",
         number(&config::send_timeout_ms, time_unit, timeout)},
        {"keepalive-timeout", s::server,
         "idle keep-alive connections close after it (no response); `0` turns keep-alive off",
         number(&config::keepalive_timeout_ms, time_unit, bounds{0, a_day_ms})},
        {"keepalive-requests", s::server,
         "requests per connection; the last response says `Connection: close`",
         number(&config::keepalive_requests, count_unit, bounds{1, 1'000'000'000})},
        {"limit-req", s::server,
         "per-client request rate (`10r/s`, `600r/m`), nginx's leaky bucket",
         request_rate(&config::limit_req_rate)},
        {"limit-req-burst", s::server,
         "requests above the rate served at once (nginx `burst=N nodelay`)",
         number(&config::limit_req_burst, count_unit, bounds{0, 1'000'000})},
        {"limit-req-status", s::server, "the status of requests over the rate, with `Retry-After`",
         choice(&config::limit_req_status, std::vector<named<int>>{{"429", 429}, {"503", 503}})},
        {"limit-conn", s::server,
         "concurrent connections per client address; more get 503 with `Retry-After`",
         number(&config::limit_conn, count_unit, bounds{1, 1'000'000}, "off")},
        {"real-ip-from", s::server,
         "trusted proxies (nginx `set_real_ip_from`): requests from these addresses or CIDR "
         "ranges name their client in `real-ip-header`, and `limit-req` counts that client",
         address_ranges(&config::real_ip_from)},
        {"real-ip-header", s::server,
         "where a trusted proxy names the client: `X-Forwarded-For` (the rightmost address "
         "that is not a trusted proxy) or `X-Real-IP`",
         choice(&config::real_ip_header,
                std::vector<named<std::string>>{{"X-Forwarded-For", "X-Forwarded-For"},
                                                {"X-Real-IP", "X-Real-IP"}})},
        {"security-headers", s::server,
         "`X-Content-Type-Options: nosniff`, `X-Frame-Options: SAMEORIGIN` and "
         "`Referrer-Policy: strict-origin-when-cross-origin` on every response",
         on_off(&config::security_headers)},
        {"server-tokens", s::server, "`Server: ringhttpd/VERSION` instead of `Server: ringhttpd`",
         on_off(&config::server_tokens)},
        {"access-log", s::server,
         "where each answered request is logged: a file (appended to), `stdout` (the container "
         "way) or `off`; SIGUSR1 reopens the file",
         plain_text(&config::access_log, "FILE|stdout|off")},
        {"log-format", s::server,
         "`combined` (nginx's, byte for byte) or `json` (one object per line)",
         choice(&config::log_format,
                std::vector<named<access_log_format>>{{"combined", access_log_format::combined},
                                                      {"json", access_log_format::json}})},
        {"access-log-rotate-size", s::server,
         "the access log file is renamed FILE.1 when it reaches this size; `0` never",
         number(&config::access_log_rotate_size, size_unit, std::nullopt)},
        {"access-log-rotate-files", s::server, "rotated files kept: FILE.1 to FILE.N",
         number(&config::access_log_rotate_files, count_unit, bounds{1, 1000})},
        {"metrics-listen", s::server,
         "the monitoring listener: Prometheus metrics at `/metrics`, the live status page at "
         "`/status` (its data at `/status.json`), `/healthz` and `/readyz`; nothing else is "
         "served there, and none of it on the other addresses (see docs/observability.md). "
         "Keep it private, e.g. `127.0.0.1:9145`",
         optional_listen_address(&cli_options::metrics_listen)},
        {"recv-buffers", s::server, "provided receive buffers per ring, a power of two",
         power_of_two(&config::recv_buffers, bounds{16, 32768})},
        {"recv-buffer-size", s::server, "size of each receive buffer",
         number(&config::recv_buffer_size, size_unit, bounds{512, mib})},
        {"shutdown-timeout", s::server, "how long a SIGQUIT drain waits for busy connections",
         number(&config::shutdown_timeout_ms, time_unit, timeout)},
        {"workers", s::server,
         "worker threads for blocking work (handlers declared blocking, files that would wait "
         "for a disk)",
         number(&config::workers, count_unit, bounds{1, 1024},
                "twice the CPUs, at least 4, at most 64")},
        {"worker-queue", s::server,
         "jobs that may wait for a worker; beyond it a request gets 503 with `Retry-After: 1`",
         number(&config::worker_queue, count_unit, bounds{1, 10'000'000})},
        {"worker-wake", s::server,
         "how workers wake a ring: MSG_RING where the kernel has the ring-less form (6.13+), "
         "else eventfd",
         choice(&config::wake,
                std::vector<named<worker_wake>>{
                    {"auto", worker_wake::automatic},
                    {"msg-ring", worker_wake::msg_ring},
                    {"eventfd", worker_wake::eventfd},
                })},

        {"root", s::site, "document root: the directory static files are served from",
         plain_text(&cli_options::root, "DIR")},
        {"tls-certificate", s::site,
         "PEM file with the certificate, then its intermediates (nginx `ssl_certificate`), for "
         "listeners marked `tls`. The top level's goes to clients that ask for no name or one "
         "no `[[site]]` has by SNI. A list serves an ECDSA and an RSA certificate side by side, "
         "each to the clients that support it",
         file_list(&site_tls_settings::certificates)},
        {"tls-certificate-key", s::site,
         "PEM files with the private keys of `tls-certificate`, in its order (nginx "
         "`ssl_certificate_key`)",
         file_list(&site_tls_settings::keys)},
        {"tls-ocsp-response", s::site,
         "DER files with OCSP responses for `tls-certificate`, in its order (`openssl ocsp "
         "-respout`, nginx `ssl_stapling_file`), stapled for clients that ask; read at start and "
         "by each reload. Fewer than the certificates: the rest staple none",
         file_list(&site_tls_settings::ocsp_responses)},
        {"tls-client-certificate", s::site,
         "PEM file of the CAs that client certificates must chain to (nginx "
         "`ssl_client_certificate`), for `tls-verify-client`",
         plain_text(&site_tls_settings::client_ca, "FILE")},
        {"tls-verify-client", s::site,
         "ask TLS clients for a certificate (mTLS, nginx `ssl_verify_client`): `on` answers a "
         "request without a valid one with 400; `optional` serves it, and handlers and the "
         "JSON access log see the verdict and the subject",
         choice(&site_tls_settings::verify,
                std::vector<named<verify_client>>{{"off", verify_client::off},
                                                  {"optional", verify_client::optional},
                                                  {"on", verify_client::on}})},
        {"hsts", s::site,
         "the `Strict-Transport-Security` value sent on every answer over TLS, never over "
         "cleartext (`max-age=63072000; includeSubDomains`); empty: none",
         plain_text(&site_tls_settings::hsts, "VALUE")},
        {"index", s::site,
         "what a request for a directory serves: the first of these files it holds (nginx "
         "`index`)",
         index_files(&static_files_options::index)},
        {"autoindex", s::site, "list directories that have none of the `index` files (else 403)",
         on_off(&static_files_options::autoindex)},
        {"precompressed", s::site,
         "serve `file.br` / `file.gz` to clients whose `Accept-Encoding` prefers them (nginx "
         "`gzip_static`, Caddy `precompressed`)",
         on_off(&static_files_options::precompressed)},
        {"gzip", s::site,
         "gzip compressible files over 1 KB on the fly when the client accepts it and no "
         "sidecar exists; compressed once per file on a worker, then served from the cache",
         on_off(&static_files_options::gzip)},
        {"open-file-cache", s::site,
         "files each ring thread keeps in memory (up to 16 KiB each; 256 MiB of contents for "
         "all threads together) or open (at most 512 descriptors), revalidated once a second, "
         "least recently used out first; `0` turns the cache off (nginx `open_file_cache "
         "max=N`)",
         number(&static_files_options::open_file_cache, count_unit, bounds{0, 10'000'000})},
        {"expires", s::site,
         "nginx's `expires`: `TIME` > 0 sends `Cache-Control: max-age=N` and `Expires`; `0` "
         "and `epoch` send `no-cache`; `off` sends neither",
         expiry(&static_files_options::expires_s)},

        {"log-level", s::app,
         "the error log (stderr) shows this level and above: `debug`, `info`, `notice` (as "
         "info), `warn`, `error`, `crit` (nginx's `error_log` levels); a reload applies it",
         choice(&cli_options::log_level, std::vector<named<std::string>>{{"debug", "debug"},
                                                                         {"info", "info"},
                                                                         {"notice", "notice"},
                                                                         {"warn", "warn"},
                                                                         {"error", "error"},
                                                                         {"crit", "crit"}})},
        {"debug-routes", s::app,
         "adds `/debug/delay?ms=N`, `/debug/spin?ms=N` (sleep or burn CPU on a worker, N <= "
         "10000), `/debug/hold` and `/debug/release` (block a worker until released), "
         "`/debug/running`, `/debug/inline`, `/debug/pooled`: **for tests and benchmarks only, "
         "never in production** (any client could tie up the workers)",
         switch_on(&cli_options::debug_routes)},
    };
}

}  // namespace

std::span<const option> option_table() {
    static const std::vector<option> table = make_table();
    return table;
}

const option* find_option(std::string_view name) {
    std::span<const option> table = option_table();
    auto it = std::find_if(table.begin(), table.end(),
                           [name](const option& o) { return o.name == name; });
    return it == table.end() ? nullptr : &*it;
}

std::vector<std::string> restart_needed(const cli_options& running, const cli_options& next) {
    std::vector<std::string> keys;
    for (const option& o : option_table())
        if (o.where == scope::server && o.on_reload == reload_applies::no &&
            o.value.show(running) != o.value.show(next))
            keys.push_back(config_key(o.name));
    return keys;
}

std::string config_key(std::string_view option_name) {
    std::string key(option_name);
    std::replace(key.begin(), key.end(), '-', '_');
    return key;
}

std::string synopsis(const option& o) {
    std::string out = "--" + std::string(o.name);
    if (!o.value.placeholder.empty()) out += " " + o.value.placeholder;
    return out;
}

std::string default_text(const option& o) {
    return o.value.show(cli_options{});
}

std::string range_text(const option& o) {
    return o.value.range ? describe(*o.value.range, o.value.format_bound) : std::string();
}

std::string_view scope_title(scope s) {
    switch (s) {
        case scope::server:
            return "Server: the listener, its limits, timeouts and threads";
        case scope::site:
            return "Site: what is served";
        case scope::app:
            return "App: what this binary adds to the library";
    }
    return {};
}

}  // namespace ringhttpd::app
