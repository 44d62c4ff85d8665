#include "app/cli.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <stdexcept>

namespace ringhttpd::app {
namespace {

uint64_t parse_number(std::string_view text, std::string_view what) {
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
        throw std::invalid_argument("invalid " + std::string(what) + " '" + std::string(text) +
                                    "'");
    return value;
}

uint64_t scaled(uint64_t value, uint64_t factor, std::string_view text) {
    if (value > std::numeric_limits<uint64_t>::max() / factor)
        throw std::invalid_argument("value too large: '" + std::string(text) + "'");
    return value * factor;
}

void parse_listen(std::string_view text, config& cfg) {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
        throw std::invalid_argument(
            "--listen expects HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), got '" +
            std::string(text) + "'");
    uint64_t port = parse_number(text.substr(colon + 1), "port");
    if (port > 65535) throw std::invalid_argument("port out of range: " + std::to_string(port));
    cfg.listen_host = std::string(text.substr(0, colon));
    cfg.listen_port = uint16_t(port);
}

uint64_t in_range(uint64_t n, std::string_view flag, uint64_t min, uint64_t max) {
    if (n < min || n > max)
        throw std::invalid_argument(std::string(flag) + " must be between " + std::to_string(min) +
                                    " and " + std::to_string(max));
    return n;
}

bool parse_on_off(std::string_view text, std::string_view flag) {
    if (text == "on") return true;
    if (text == "off") return false;
    throw std::invalid_argument(std::string(flag) + " takes on or off, got '" + std::string(text) +
                                "'");
}

// nginx's rate syntax: "10r/s" or "600r/m".
double parse_rate(std::string_view text) {
    size_t r = text.find("r/");
    if (r == std::string_view::npos || r + 3 != text.size() ||
        (text.back() != 's' && text.back() != 'm'))
        throw std::invalid_argument("--limit-req expects a rate like 10r/s or 600r/m, got '" +
                                    std::string(text) + "'");
    uint64_t n = parse_number(text.substr(0, r), "rate");
    if (n == 0) throw std::invalid_argument("--limit-req rate must be above 0");
    return text.back() == 's' ? double(n) : double(n) / 60.0;
}

worker_wake parse_wake(std::string_view text) {
    if (text == "auto") return worker_wake::automatic;
    if (text == "msg-ring") return worker_wake::msg_ring;
    if (text == "eventfd") return worker_wake::eventfd;
    throw std::invalid_argument("--worker-wake takes auto, msg-ring or eventfd, got '" +
                                std::string(text) + "'");
}

// nginx's `expires`: off, epoch, max, or a time (0 allowed).
std::optional<int64_t> parse_expires(std::string_view text) {
    if (text == "off") return std::nullopt;
    if (text == "epoch") return -1;
    if (text == "max") return 315'360'000;  // ten years, as nginx
    uint64_t ms = parse_duration_ms(text);
    if (ms > 315'360'000'000ull)
        throw std::invalid_argument("--expires is at most ten years ('max'), got '" +
                                    std::string(text) + "'");
    return int64_t(ms / 1000);
}

constexpr uint64_t max_timeout_ms = 24ull * 3600 * 1000;

// A timeout of at least 1 ms and at most a day.
uint64_t timeout_in_range(std::string_view text, std::string_view flag) {
    return in_range(parse_duration_ms(text), flag, 1, max_timeout_ms);
}

}  // namespace

uint64_t parse_size(std::string_view text) {
    if (text.empty()) throw std::invalid_argument("empty size");
    uint64_t factor = 1;
    switch (text.back()) {
        case 'k':
        case 'K':
            factor = 1024;
            break;
        case 'm':
        case 'M':
            factor = 1024 * 1024;
            break;
        case 'g':
        case 'G':
            factor = 1024 * 1024 * 1024;
            break;
        default:
            break;
    }
    if (factor != 1) text.remove_suffix(1);
    return scaled(parse_number(text, "size"), factor, text);
}

uint64_t parse_duration_ms(std::string_view text) {
    if (text.empty()) throw std::invalid_argument("empty duration");
    uint64_t factor = 1000;  // a bare number is seconds, as in nginx
    if (text.size() > 2 && text.substr(text.size() - 2) == "ms") {
        factor = 1;
        text.remove_suffix(2);
    } else if (text.back() == 's') {
        text.remove_suffix(1);
    } else if (text.back() == 'm') {
        factor = 60'000;
        text.remove_suffix(1);
    } else if (text.back() == 'h') {
        factor = 3'600'000;
        text.remove_suffix(1);
    }
    return scaled(parse_number(text, "duration"), factor, text);
}

std::string usage() {
    return R"(Usage: ringhttpd [options]

An io_uring HTTP/1.1 server: one pinned thread and ring per CPU.

Options:
  --listen HOST:PORT            address to listen on (default 127.0.0.1:8080; [::1]:8080 for IPv6;
                                port 0 picks a free port and logs it)
  --root DIR                    document root for static files (default ./static)
  --threads N                   ring threads, each pinned to a CPU (default: CPUs this process
                                may run on)
  --client-max-body-size SIZE   largest request body, else 413 (default 1m)
  --max-request-line SIZE       longest request target, else 414 (default 8k)
  --max-header-size SIZE        largest header section, else 431 (default 32k)
  --max-connections N           open connections per process; at the limit new clients wait in
                                the listen backlog (default: the open-file limit less 64)
  --recv-buffers N              provided receive buffers per thread, a power of two (default 1024)
  --recv-buffer-size SIZE       size of each receive buffer (default 4k)
  --client-header-timeout TIME  the whole request head must arrive within it, else 408 (default 60s)
  --client-body-timeout TIME    longest wait between two reads of a body, else 408 (default 60s)
  --send-timeout TIME           longest wait for a client to take response bytes (default 60s)
  --keepalive-timeout TIME      idle time before a keep-alive connection closes; 0 turns
                                keep-alive off (default 75s)
  --keepalive-requests N        requests per connection; the last answer says
                                Connection: close (default 1000)
  --shutdown-timeout TIME       how long SIGQUIT waits for in-flight requests (default 30s)
  --workers N                   worker threads for blocking work: opening and reading files
                                not in a ring's cache, blocking handlers (default: twice the
                                CPUs this process may run on, at least 4, at most 64)
  --worker-queue N              jobs that may wait for a worker; more get 503 with
                                Retry-After (default 1024)
  --worker-wake auto|msg-ring|eventfd
                                how workers wake a ring: MSG_RING needs Linux 6.13+
                                (default auto: MSG_RING where available)
  --autoindex on|off            list directories that have no index.html (default off)
  --precompressed on|off        serve file.br / file.gz to clients that accept them
                                (default on)
  --gzip on|off                 gzip compressible files over 1 KB on the fly for clients that
                                accept it, once per file (default on)
  --open-file-cache N           files each thread keeps open or in memory, revalidated once
                                a second; 0 turns the cache off (default 10000; at most 512
                                of them hold a descriptor; all threads together hold at most
                                256 MiB of file contents)
  --expires off|epoch|max|TIME  Cache-Control/Expires on static files, as nginx's expires:
                                TIME > 0 gives max-age, 0 and epoch give no-cache
                                (default off: no such headers)
  --debug-routes                add GET /debug/delay?ms=N and /debug/spin?ms=N (blocking
                                handlers that sleep or burn CPU on a worker, N <= 10000) and
                                /debug/inline, /debug/pooled: for tests and benchmarks only,
                                never in production
  --security-headers on|off     X-Content-Type-Options: nosniff, X-Frame-Options: SAMEORIGIN,
                                Referrer-Policy: strict-origin-when-cross-origin (default on)
  --server-tokens on|off        put the version in the Server header (default off)
  --limit-req RATE              per-client request rate, e.g. 10r/s or 600r/m (default: none)
  --limit-req-burst N           requests above the rate served at once (default 0)
  --limit-req-status CODE       answer over the rate: 429 or 503 (default 429), with Retry-After
  --limit-conn N                concurrent connections per client address; more get 503
                                (default: none)
  -h, --help                    show this help
  -v, --version                 show the version

Signals: SIGTERM/SIGINT stop at once; SIGQUIT stops accepting, finishes in-flight requests,
closes idle connections and exits 0.
)";
}

cli_options parse_cli(const std::vector<std::string>& args) {
    cli_options out;
    config& cfg = out.cfg;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i];
        std::string value;
        bool has_inline_value = false;
        if (size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
            has_inline_value = true;
        }
        if (flag == "-h" || flag == "--help") {
            out.show_help = true;
            continue;
        }
        if (flag == "-v" || flag == "--version") {
            out.show_version = true;
            continue;
        }
        if (flag == "--debug-routes") {
            out.debug_routes = true;
            continue;
        }
        static const char* const value_flags[] = {"--listen",
                                                  "--root",
                                                  "--threads",
                                                  "--client-max-body-size",
                                                  "--max-request-line",
                                                  "--max-header-size",
                                                  "--recv-buffers",
                                                  "--recv-buffer-size",
                                                  "--shutdown-timeout",
                                                  "--client-header-timeout",
                                                  "--client-body-timeout",
                                                  "--send-timeout",
                                                  "--keepalive-timeout",
                                                  "--keepalive-requests",
                                                  "--security-headers",
                                                  "--server-tokens",
                                                  "--limit-req",
                                                  "--limit-req-burst",
                                                  "--limit-req-status",
                                                  "--limit-conn",
                                                  "--max-connections",
                                                  "--workers",
                                                  "--worker-queue",
                                                  "--worker-wake",
                                                  "--autoindex",
                                                  "--precompressed",
                                                  "--gzip",
                                                  "--open-file-cache",
                                                  "--expires"};
        if (std::find(std::begin(value_flags), std::end(value_flags), flag) ==
            std::end(value_flags))
            throw std::invalid_argument("unknown option '" + flag + "'");
        if (!has_inline_value) {
            if (i + 1 >= args.size()) throw std::invalid_argument(flag + " needs a value");
            value = args[++i];
        }
        if (flag == "--listen") {
            parse_listen(value, cfg);
        } else if (flag == "--root") {
            out.root = value;
        } else if (flag == "--threads") {
            cfg.threads = in_range(parse_number(value, flag), flag, 1, 1024);
        } else if (flag == "--client-max-body-size") {
            cfg.client_max_body_size = parse_size(value);
        } else if (flag == "--max-request-line") {
            cfg.max_request_line = in_range(parse_size(value), flag, 64, 1 << 20);
        } else if (flag == "--max-header-size") {
            cfg.max_header_size = in_range(parse_size(value), flag, 256, 16 << 20);
        } else if (flag == "--recv-buffers") {
            cfg.recv_buffers = in_range(parse_number(value, flag), flag, 16, 32768);
            if (cfg.recv_buffers & (cfg.recv_buffers - 1))
                throw std::invalid_argument("--recv-buffers must be a power of two");
        } else if (flag == "--recv-buffer-size") {
            cfg.recv_buffer_size = in_range(parse_size(value), flag, 512, 1 << 20);
        } else if (flag == "--client-header-timeout") {
            cfg.client_header_timeout_ms = timeout_in_range(value, flag);
        } else if (flag == "--client-body-timeout") {
            cfg.client_body_timeout_ms = timeout_in_range(value, flag);
        } else if (flag == "--send-timeout") {
            cfg.send_timeout_ms = timeout_in_range(value, flag);
        } else if (flag == "--keepalive-timeout") {
            cfg.keepalive_timeout_ms = parse_duration_ms(value);
            in_range(cfg.keepalive_timeout_ms, flag, 0, max_timeout_ms);
        } else if (flag == "--keepalive-requests") {
            cfg.keepalive_requests = in_range(parse_number(value, flag), flag, 1, 1'000'000'000);
        } else if (flag == "--security-headers") {
            cfg.security_headers = parse_on_off(value, flag);
        } else if (flag == "--limit-req") {
            cfg.limit_req_rate = parse_rate(value);
        } else if (flag == "--limit-req-burst") {
            cfg.limit_req_burst = uint32_t(in_range(parse_number(value, flag), flag, 0, 1'000'000));
        } else if (flag == "--limit-req-status") {
            cfg.limit_req_status = int(parse_number(value, flag));
            if (cfg.limit_req_status != 429 && cfg.limit_req_status != 503)
                throw std::invalid_argument("--limit-req-status must be 429 or 503");
        } else if (flag == "--limit-conn") {
            cfg.limit_conn = uint32_t(in_range(parse_number(value, flag), flag, 1, 1'000'000));
        } else if (flag == "--max-connections") {
            cfg.max_connections = in_range(parse_number(value, flag), flag, 1, 100'000'000);
        } else if (flag == "--server-tokens") {
            cfg.server_tokens = parse_on_off(value, flag);
        } else if (flag == "--workers") {
            cfg.workers = unsigned(in_range(parse_number(value, flag), flag, 1, 1024));
        } else if (flag == "--worker-queue") {
            cfg.worker_queue = in_range(parse_number(value, flag), flag, 1, 10'000'000);
        } else if (flag == "--worker-wake") {
            cfg.wake = parse_wake(value);
        } else if (flag == "--autoindex") {
            out.files.autoindex = parse_on_off(value, flag);
        } else if (flag == "--precompressed") {
            out.files.precompressed = parse_on_off(value, flag);
        } else if (flag == "--gzip") {
            out.files.gzip = parse_on_off(value, flag);
        } else if (flag == "--open-file-cache") {
            out.files.open_file_cache = in_range(parse_number(value, flag), flag, 0, 10'000'000);
        } else if (flag == "--expires") {
            out.files.expires_s = parse_expires(value);
        } else if (flag == "--shutdown-timeout") {
            // Checked like every other timeout: it used to clamp silently.
            cfg.shutdown_timeout_ms = unsigned(timeout_in_range(value, flag));
        }
    }
    return out;
}

}  // namespace ringhttpd::app
