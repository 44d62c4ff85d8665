#include "app/reloader.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <stdexcept>
#include <utility>

#include "app/app_routes.hpp"
#include "app/config_file.hpp"
#include "app/error_log.hpp"
#include "app/option_values.hpp"
#include "app/tls_settings.hpp"

namespace ringhttpd::app {

reloader::reloader(server& srv, monitor& m, std::vector<std::string> args, cli_options running)
    : server_(srv), monitor_(m), args_(std::move(args)), running_(std::move(running)) {}

bool reloader::reload() {
    const uint64_t attempt = ++generation_;
    const std::string source =
        running_.config_file.empty() ? "the command line" : running_.config_file;
    try {
        cli_options next = load_settings(args_);
        if (auto keys = restart_needed(running_, next); !keys.empty())
            throw std::runtime_error(joined({keys.begin(), keys.end()}, ", ") +
                                     " changed, and only a restart applies server settings");
        router routes = build_routes(next, monitor_);  // throws when the settings cannot be served
        // Certificates first: one that does not load changes nothing, and the running ones
        // stay in service.
        server_.set_tls_certificates(tls_certificates(next));
        // Binds what was added first: an address that cannot be bound changes nothing.
        server_.set_listeners(listen_addresses(next));
        server_.set_routes(std::move(routes));
        set_error_log_level(next.log_level);
        running_ = std::move(next);
        monitor_.count_reload(true);
        spdlog::info("reload {}: applied {}", attempt, source);
        return true;
    } catch (const std::exception& e) {
        monitor_.count_reload(false);
        spdlog::error("reload {}: refused, the running configuration stays: {}", attempt, e.what());
        return false;
    }
}

}  // namespace ringhttpd::app
