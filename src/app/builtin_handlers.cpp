#include "app/builtin_handlers.hpp"

#include <algorithm>
#include <stdexcept>

#include "app/api.hpp"

namespace ringhttpd::app {
namespace {

struct builtin {
    std::string_view name;
    void (*add)(router& routes);
};

// The status and metrics endpoints join this table when they exist.
constexpr builtin builtins[] = {
    {"api", add_builtin_routes},
};

bool any_handler(const std::vector<location_settings>& locations) {
    return std::any_of(locations.begin(), locations.end(),
                       [](const location_settings& l) { return !l.handler.empty(); });
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

router builtin_handler(std::string_view name) {
    for (const builtin& b : builtins) {
        if (b.name != name) continue;
        router routes;
        b.add(routes);
        return routes;
    }
    throw std::invalid_argument("no built-in handler '" + std::string(name) + "'");
}

bool attaches_handlers(const cli_options& options) {
    return any_handler(options.locations) ||
           std::any_of(options.sites.begin(), options.sites.end(),
                       [](const site_settings& s) { return any_handler(s.locations); });
}

}  // namespace ringhttpd::app
