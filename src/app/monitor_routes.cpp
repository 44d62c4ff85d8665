#include "app/monitor_routes.hpp"

#include "app/metrics_text.hpp"
#include "app/status_page.hpp"

namespace ringhttpd::app {
namespace {

// Monitoring answers must never be cached by a proxy between the server and its scraper.
response uncached(response res) {
    res.headers.emplace_back("Cache-Control", "no-store");
    return res;
}

process_figures figures_of(const monitor& m) {
    return {RINGHTTPD_VERSION,   m.start_time_seconds(), m.uptime_seconds(), m.reloads_applied(),
            m.reloads_refused(), m.generation(),         m.draining()};
}

// Answers from the server's figures, or 503 before there is a server (never while serving).
template <typename Render>
auto from_stats(const monitor& m, std::string content_type, Render render) {
    return [&m, content_type = std::move(content_type), render](const request&) {
        const std::optional<server_stats> stats = m.stats();
        if (!stats) return response::error(503);
        return uncached(response::text(200, render(*stats, figures_of(m)), content_type));
    };
}

}  // namespace

void add_health_routes(router& routes, const monitor& m) {
    routes.add(http_method::get, "/healthz",
               [](const request&) { return uncached(response::text(200, "ok\n")); });
    routes.add(http_method::get, "/readyz", [&m](const request&) {
        return uncached(m.draining() ? response::text(503, "draining\n")
                                     : response::text(200, "ready\n"));
    });
}

void add_metrics_routes(router& routes, const monitor& m) {
    routes.add(http_method::get, "/metrics",
               from_stats(m, std::string(prometheus_content_type), prometheus_text));
    routes.add(http_method::get, "/status.json", from_stats(m, "application/json", status_json));
    routes.add(http_method::get, "/status", [](const request&) {
        return uncached(
            response::text(200, std::string(status_page_html()), "text/html; charset=utf-8"));
    });
}

}  // namespace ringhttpd::app
