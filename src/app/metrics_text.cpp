#include "app/metrics_text.hpp"

#include <fmt/format.h>

#include <iterator>

namespace ringhttpd::app {
namespace {

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

template <typename T>
void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            T value) {
    header(out, name, type, help);
    fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
}

void histogram(std::string& out, std::string_view name, std::string_view help,
               const histogram_stats& h) {
    header(out, name, "histogram", help);
    uint64_t below = 0;  // Prometheus' buckets are cumulative
    for (size_t i = 0; i < h.bounds.size(); ++i) {
        below += h.buckets[i];
        fmt::format_to(std::back_inserter(out), "{}_bucket{{le=\"{}\"}} {}\n", name, h.bounds[i],
                       below);
    }
    fmt::format_to(std::back_inserter(out), "{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n",
                   name, h.count, name, h.sum, name, h.count);
}

uint64_t total_requests(const server_stats& s, bool errors_only) {
    uint64_t n = 0;
    for (const request_count& r : s.requests)
        if (!errors_only || r.code >= 500) n += r.count;
    return n;
}

void tls_metrics(std::string& out, const tls_stats& tls) {
    header(out, "ringhttpd_tls_handshakes_total", "counter",
           "Finished TLS handshakes by protocol and whether the session was resumed.");
    for (size_t v = 0; v < 2; ++v)
        for (size_t r = 0; r < 2; ++r)
            fmt::format_to(std::back_inserter(out),
                           "ringhttpd_tls_handshakes_total{{protocol=\"{}\",resumed=\"{}\"}} {}\n",
                           v == 0 ? "TLSv1.2" : "TLSv1.3", r == 0 ? "false" : "true",
                           tls.handshakes[v][r]);
    header(out, "ringhttpd_tls_handshake_failures_total", "counter",
           "TLS connections that failed before their first request, by reason.");
    for (size_t f = 0; f < tls_failure_count; ++f)
        fmt::format_to(std::back_inserter(out),
                       "ringhttpd_tls_handshake_failures_total{{reason=\"{}\"}} {}\n",
                       tls_failure_names[f], tls.failures[f]);
}

}  // namespace

std::string prometheus_text(const server_stats& s, const process_figures& p) {
    std::string out;
    out.reserve(8192);
    header(out, "ringhttpd_http_requests_total", "counter",
           "Answered HTTP requests by status code and method.");
    for (const request_count& r : s.requests)
        fmt::format_to(std::back_inserter(out),
                       "ringhttpd_http_requests_total{{code=\"{}\",method=\"{}\"}} {}\n", r.code,
                       r.method, r.count);
    histogram(out, "ringhttpd_http_request_duration_seconds",
              "Time from a request's first byte to its response being queued.", s.duration_seconds);
    histogram(out, "ringhttpd_http_request_size_bytes",
              "Bytes of each request as received, head and body.", s.request_bytes);
    histogram(out, "ringhttpd_http_response_size_bytes", "Bytes of each response body.",
              s.response_bytes);
    metric(out, "ringhttpd_http_requests_in_flight", "gauge",
           "Requests handed to a handler and not answered yet.", s.requests_in_flight);
    metric(out, "ringhttpd_connections_open", "gauge", "Client connections open now.",
           s.open_connections);
    metric(out, "ringhttpd_connections_accepted_total", "counter", "Client connections accepted.",
           s.accepted_connections);
    metric(out, "ringhttpd_buffer_ring_enobufs_total", "counter",
           "Receives that found every provided receive buffer in use (ENOBUFS).",
           s.recv_no_buffers);
    metric(out, "ringhttpd_worker_pool_queue_depth", "gauge", "Jobs waiting for a worker.",
           s.pool_queued);
    metric(out, "ringhttpd_worker_pool_queue_capacity", "gauge",
           "Jobs the worker pool's queue holds at most.", s.pool_queue_capacity);
    metric(out, "ringhttpd_worker_pool_threads", "gauge", "Worker threads.", s.pool_threads);
    metric(out, "ringhttpd_worker_pool_tasks_total", "counter", "Jobs queued for the worker pool.",
           s.pool_submitted);
    metric(out, "ringhttpd_worker_pool_rejected_total", "counter",
           "Jobs refused because the worker pool's queue was full (answered 503).",
           s.pool_rejected);
    metric(out, "ringhttpd_limit_req_rejected_total", "counter",
           "Requests refused by limit_req (server, sites and locations).", s.limit_req_refused);
    metric(out, "ringhttpd_limit_conn_rejected_total", "counter",
           "Requests refused by limit_conn (server, sites and locations).", s.limit_conn_refused);
    metric(out, "ringhttpd_open_file_cache_hits_total", "counter",
           "Open-file cache lookups that found the file.", s.file_cache_hits);
    metric(out, "ringhttpd_open_file_cache_misses_total", "counter",
           "Open-file cache lookups that did not.", s.file_cache_misses);
    tls_metrics(out, s.tls);
    metric(out, "ringhttpd_access_log_dropped_lines_total", "counter",
           "Access log lines dropped because the log's buffers were full.", s.log_lines_dropped);
    header(out, "ringhttpd_reloads_total", "counter", "Reloads (SIGHUP) by result.");
    fmt::format_to(std::back_inserter(out),
                   "ringhttpd_reloads_total{{result=\"applied\"}} {}\n"
                   "ringhttpd_reloads_total{{result=\"refused\"}} {}\n",
                   p.reloads_applied, p.reloads_refused);
    metric(out, "ringhttpd_config_generation", "gauge",
           "The configuration served: 1 at start, one more with each applied reload.",
           p.generation);
    metric(out, "ringhttpd_draining", "gauge", "1 once a drain has started, else 0.",
           p.draining ? 1 : 0);
    metric(out, "ringhttpd_threads", "gauge", "Ring threads.", s.rings);
    metric(out, "process_start_time_seconds", "gauge",
           "Start time of the process since the Unix epoch in seconds.", p.start_time_seconds);
    header(out, "ringhttpd_build_info", "gauge", "Always 1; the version is the label.");
    fmt::format_to(std::back_inserter(out), "ringhttpd_build_info{{version=\"{}\"}} 1\n",
                   p.version);
    return out;
}

double histogram_quantile(const histogram_stats& h, double q) {
    if (h.count == 0) return 0;
    const double rank = q * double(h.count);
    uint64_t below = 0;
    for (size_t i = 0; i < h.buckets.size(); ++i) {
        const uint64_t in_bucket = h.buckets[i];
        if (double(below + in_bucket) >= rank && in_bucket > 0) {
            // Above the last bound nothing is known but that: report the last bound.
            if (i == h.bounds.size()) return h.bounds.back();
            const double lower = i == 0 ? 0 : h.bounds[i - 1];
            return lower + (h.bounds[i] - lower) * (rank - double(below)) / double(in_bucket);
        }
        below += in_bucket;
    }
    return h.bounds.back();
}

std::string status_json(const server_stats& s, const process_figures& p) {
    return fmt::format(
        "{{\"version\":\"{}\",\"uptime_seconds\":{:.3f},\"generation\":{},\"draining\":{},"
        "\"requests_counted\":{},\"requests\":{},\"errors_5xx\":{},\"in_flight\":{},"
        "\"latency_seconds\":{{\"p50\":{},\"p90\":{},\"p99\":{}}},"
        "\"connections_open\":{},\"connections_accepted\":{},"
        "\"pool_queue_depth\":{},\"pool_queue_capacity\":{},\"pool_rejected\":{},"
        "\"reloads_applied\":{},\"reloads_refused\":{},\"log_lines_dropped\":{}}}",
        p.version, p.uptime_seconds, p.generation, p.draining, s.requests_counted,
        total_requests(s, false), total_requests(s, true), s.requests_in_flight,
        histogram_quantile(s.duration_seconds, 0.5), histogram_quantile(s.duration_seconds, 0.9),
        histogram_quantile(s.duration_seconds, 0.99), s.open_connections, s.accepted_connections,
        s.pool_queued, s.pool_queue_capacity, s.pool_rejected, p.reloads_applied, p.reloads_refused,
        s.log_lines_dropped);
}

}  // namespace ringhttpd::app
