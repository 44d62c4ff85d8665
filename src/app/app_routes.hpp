#pragma once
// The routes the ringhttpd binary serves: the demo API, the debug routes when asked for, and
// static files for everything else, as the settings say.

#include "app/monitor.hpp"
#include "app/options.hpp"
#include "ringhttpd/router.hpp"

namespace ringhttpd::app {

// Throws std::runtime_error when the settings cannot be served (a missing document root).
// `m`: what the monitoring endpoints report; it must outlive the routes.
router build_routes(const cli_options& options, const monitor& m);

// Every address to listen on: the top level's, then those only sites name, then the metrics
// listener (so that a reload, which listens on exactly these, keeps it).
std::vector<listen_address> listen_addresses(const cli_options& options);

// Whether the server should count requests for the metrics: the metrics listener is on, or a
// location serves the metrics.
bool counts_requests(const cli_options& options);

}  // namespace ringhttpd::app
