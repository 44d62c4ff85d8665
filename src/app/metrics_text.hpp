#pragma once
// The server's figures in Prometheus' text exposition format 0.0.4, with HELP and TYPE for every
// metric (promtool check metrics passes it), and the same snapshot as JSON for the status page.
// Pure functions: the handlers (monitor_routes) take the snapshot.

#include <cstdint>
#include <string>
#include <string_view>

#include "ringhttpd/stats.hpp"

namespace ringhttpd::app {

// The process's figures besides the server's (app::monitor has them).
struct process_figures {
    std::string_view version;
    double start_time_seconds = 0;  // Unix time
    double uptime_seconds = 0;
    uint64_t reloads_applied = 0;
    uint64_t reloads_refused = 0;
    uint64_t generation = 1;
    bool draining = false;
};

inline constexpr std::string_view prometheus_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

std::string prometheus_text(const server_stats& s, const process_figures& p);

// The figures the status page shows, with the latency quantiles worked out from the histogram.
std::string status_json(const server_stats& s, const process_figures& p);

// The value below which a fraction `q` (0..1) of the histogram's values lie, interpolated
// linearly inside its bucket as Prometheus' histogram_quantile does; 0 when it is empty.
double histogram_quantile(const histogram_stats& h, double q);

}  // namespace ringhttpd::app
