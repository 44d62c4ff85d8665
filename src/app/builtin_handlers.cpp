#include "app/builtin_handlers.hpp"

#include <algorithm>
#include <stdexcept>

#include "app/api.hpp"
#include "app/monitor_routes.hpp"

namespace ringhttpd::app {
namespace {

struct builtin {
    std::string_view name;
    void (*add)(router& routes, const monitor& m);
};

constexpr builtin builtins[] = {
    {"api", [](router& routes, const monitor&) { add_builtin_routes(routes); }},
    {"health", add_health_routes},    // /healthz, /readyz
    {"metrics", add_metrics_routes},  // /metrics, /status, /status.json
};

// Whether a location attaches a handler `named` (any, when empty).
bool any_handler(const std::vector<location_settings>& locations, std::string_view named) {
    return std::any_of(locations.begin(), locations.end(), [named](const location_settings& l) {
        return !l.handler.empty() && (named.empty() || l.handler == named);
    });
}

}  // namespace

const std::vector<std::string>& builtin_handler_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const builtin& b : builtins) out.emplace_back(b.name);
        return out;
    }();
    return names;
}

router builtin_handler(std::string_view name, const monitor& m) {
    for (const builtin& b : builtins) {
        if (b.name != name) continue;
        router routes;
        b.add(routes, m);
        return routes;
    }
    throw std::invalid_argument("no built-in handler '" + std::string(name) + "'");
}

bool attaches_handlers(const cli_options& options) {
    return attaches_handler(options, {});
}

bool attaches_handler(const cli_options& options, std::string_view name) {
    return any_handler(options.locations, name) ||
           std::any_of(options.sites.begin(), options.sites.end(),
                       [name](const site_settings& s) { return any_handler(s.locations, name); });
}

}  // namespace ringhttpd::app
