#pragma once
// The monitoring endpoints, answered on the ring (a scrape reads counters, it never blocks):
//   health:  GET /healthz (200 while serving), GET /readyz (200, or 503 once a drain started);
//   metrics: GET /metrics (Prometheus), /status (the live page), /status.json (its data).
// They are served on the metrics listener (router::set_listener_routes) and, on the public ones,
// only where a location attaches them (`handler = "health"` / `"metrics"`).

#include "app/monitor.hpp"
#include "ringhttpd/router.hpp"

namespace ringhttpd::app {

// `m` must outlive the routes.
void add_health_routes(router& routes, const monitor& m);
void add_metrics_routes(router& routes, const monitor& m);

}  // namespace ringhttpd::app
