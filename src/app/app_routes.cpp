#include "app/app_routes.hpp"

#include <spdlog/spdlog.h>

#include "app/api.hpp"
#include "app/debug.hpp"
#include "ringhttpd/static_files.hpp"

namespace ringhttpd::app {

router build_routes(const cli_options& options) {
    router routes;
    add_builtin_routes(routes);
    if (options.debug_routes) {
        spdlog::warn(
            "--debug-routes: /debug/* lets any client tie up workers; never in production");
        add_debug_routes(routes);
    }
    routes.set_fallback(static_files(options.root, options.files).handler());
    return routes;
}

}  // namespace ringhttpd::app
