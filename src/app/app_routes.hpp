#pragma once
// The routes the ringhttpd binary serves: the demo API, the debug routes when asked for, and
// static files for everything else, as the settings say.

#include "app/options.hpp"
#include "ringhttpd/router.hpp"

namespace ringhttpd::app {

// Throws std::runtime_error when the settings cannot be served (a missing document root).
router build_routes(const cli_options& options);

// Every address to listen on: the top level's, then those only sites name.
std::vector<listen_address> listen_addresses(const cli_options& options);

}  // namespace ringhttpd::app
