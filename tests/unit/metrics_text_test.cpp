// The Prometheus text and the status JSON made from a server's figures: names, labels,
// cumulative buckets, HELP and TYPE before every metric, and quantiles from a histogram.

#include "app/metrics_text.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "core/request_metrics.hpp"

using namespace ringhttpd;

namespace {

histogram_stats histogram_of(std::vector<double> bounds, std::vector<uint64_t> buckets,
                             double sum) {
    histogram_stats h{std::move(bounds), std::move(buckets), sum, 0};
    for (uint64_t n : h.buckets) h.count += n;
    return h;
}

server_stats sample() {
    server_stats s;
    s.requests_counted = true;
    s.requests = {{200, "GET", 7}, {404, "HEAD", 2}, {503, "other", 1}};
    s.duration_seconds = histogram_of({0.001, 0.01}, {6, 3, 1}, 0.5);
    s.request_bytes = histogram_of({100}, {10, 0}, 800);
    s.response_bytes = histogram_of({100}, {4, 6}, 9000);
    s.open_connections = 3;
    s.accepted_connections = 12;
    s.pool_queued = 4;
    s.limit_req_refused = 5;
    s.log_lines_dropped = 6;
    return s;
}

app::process_figures figures() {
    return {"1.2.3", 1700000000.5, 42, 2, 1, 3, false};
}

}  // namespace

TEST(metrics_text, counts_requests_by_code_and_method) {
    const std::string text = app::prometheus_text(sample(), figures());
    EXPECT_NE(text.find("ringhttpd_http_requests_total{code=\"200\",method=\"GET\"} 7\n"),
              std::string::npos);
    EXPECT_NE(text.find("ringhttpd_http_requests_total{code=\"404\",method=\"HEAD\"} 2\n"),
              std::string::npos);
    EXPECT_NE(text.find("ringhttpd_http_requests_total{code=\"503\",method=\"other\"} 1\n"),
              std::string::npos);
}

TEST(metrics_text, histogram_buckets_are_cumulative_and_end_in_inf) {
    const std::string text = app::prometheus_text(sample(), figures());
    for (const char* line : {"ringhttpd_http_request_duration_seconds_bucket{le=\"0.001\"} 6\n",
                             "ringhttpd_http_request_duration_seconds_bucket{le=\"0.01\"} 9\n",
                             "ringhttpd_http_request_duration_seconds_bucket{le=\"+Inf\"} 10\n",
                             "ringhttpd_http_request_duration_seconds_sum 0.5\n",
                             "ringhttpd_http_request_duration_seconds_count 10\n",
                             "ringhttpd_http_response_size_bytes_bucket{le=\"+Inf\"} 10\n"})
        EXPECT_NE(text.find(line), std::string::npos) << line;
}

TEST(metrics_text, every_metric_has_help_and_type_before_its_samples) {
    const std::string text = app::prometheus_text(sample(), figures());
    std::istringstream lines(text);
    std::set<std::string> typed;
    std::string line;
    while (std::getline(lines, line)) {
        if (line.starts_with("# TYPE ")) {
            typed.insert(line.substr(7, line.find(' ', 7) - 7));
            continue;
        }
        if (line.starts_with("# HELP ")) continue;
        std::string name = line.substr(0, line.find_first_of("{ "));
        for (const char* suffix : {"_bucket", "_sum", "_count"})
            if (name.ends_with(suffix) && !typed.contains(name))
                name = name.substr(0, name.size() - std::string_view(suffix).size());
        EXPECT_TRUE(typed.contains(name)) << line;
    }
    for (const char* name :
         {"ringhttpd_http_requests_in_flight", "ringhttpd_connections_open",
          "ringhttpd_connections_accepted_total", "ringhttpd_worker_pool_queue_depth",
          "ringhttpd_worker_pool_tasks_total", "ringhttpd_worker_pool_rejected_total",
          "ringhttpd_buffer_ring_enobufs_total", "ringhttpd_limit_req_rejected_total",
          "ringhttpd_limit_conn_rejected_total", "ringhttpd_open_file_cache_hits_total",
          "ringhttpd_open_file_cache_misses_total", "ringhttpd_access_log_dropped_lines_total",
          "ringhttpd_reloads_total", "ringhttpd_build_info"})
        EXPECT_TRUE(typed.contains(name)) << name;
    EXPECT_NE(text.find("ringhttpd_build_info{version=\"1.2.3\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("ringhttpd_reloads_total{result=\"refused\"} 1\n"), std::string::npos);
}

TEST(metrics_text, quantiles_interpolate_inside_the_bucket) {
    const histogram_stats h = histogram_of({0.001, 0.01}, {6, 3, 1}, 0.5);
    EXPECT_DOUBLE_EQ(app::histogram_quantile(h, 0.3), 0.0005);  // rank 3 of 6 in [0, 1 ms]
    EXPECT_NEAR(app::histogram_quantile(h, 0.75), 0.001 + 0.009 * 1.5 / 3, 1e-12);
    EXPECT_DOUBLE_EQ(app::histogram_quantile(h, 0.99), 0.01);  // above the last bound
    EXPECT_EQ(app::histogram_quantile(histogram_stats{}, 0.5), 0);
}

TEST(metrics_text, status_json_sums_requests_and_errors) {
    const std::string json = app::status_json(sample(), figures());
    EXPECT_NE(json.find("\"requests\":10,"), std::string::npos) << json;
    EXPECT_NE(json.find("\"errors_5xx\":1,"), std::string::npos) << json;
    EXPECT_NE(json.find("\"generation\":3,"), std::string::npos) << json;
    EXPECT_NE(json.find("\"connections_open\":3,"), std::string::npos) << json;
}

TEST(request_metrics, ring_counts_sum_into_stats_with_bounded_methods) {
    core::request_metrics ring;
    request req;
    req.method = http_method::trace;
    ring.on_dispatched();
    ring.record({req, {}, 200, 1500, 300, 20'000, /*logged=*/true, /*dispatched=*/true});
    ring.on_dispatched();  // still in flight
    server_stats s;
    std::vector<uint64_t> counts(core::request_metrics::request_slots);
    ring.add_to(s, counts);
    core::request_metrics::add_requests(s, counts);
    ASSERT_EQ(s.requests.size(), 1u);
    EXPECT_EQ(s.requests[0].code, 200);
    EXPECT_EQ(s.requests[0].method, "other");
    EXPECT_EQ(s.requests_in_flight, 1u);
    EXPECT_EQ(s.duration_seconds.count, 1u);
    EXPECT_DOUBLE_EQ(s.duration_seconds.sum, 20e-6);
    EXPECT_EQ(s.duration_seconds.buckets[1], 1u);  // (10 µs, 25 µs]
    EXPECT_EQ(s.response_bytes.buckets[3], 1u);    // (1 KiB, 4 KiB]
}
