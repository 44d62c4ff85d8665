#include "app/app_routes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "app/api.hpp"
#include "app/builtin_handlers.hpp"
#include "app/debug.hpp"
#include "app/monitor_routes.hpp"
#include "handlers/virtual_hosts.hpp"
#include "http/client_limits.hpp"
#include "ringhttpd/static_files.hpp"

namespace ringhttpd::app {
namespace {

staged_handler files_under(const std::string& root, static_files_options files) {
    return static_files(root, std::move(files)).handler();
}

// The limits of a place: what it sets, else those of `outer` (a location's site), whose zones
// it then shares, as a location shares its server's limit_req and limit_conn zones in nginx.
void apply_limits(const place_limit_settings& set, const handlers::place& outer,
                  handlers::place& into) {
    into.max_body_size = set.client_max_body_size ? set.client_max_body_size : outer.max_body_size;
    into.limits = outer.limits;
    if (set.limit_req_rate) {
        http::client_limit_config rate;
        rate.rate_per_s = *set.limit_req_rate;
        rate.burst = set.limit_req_burst.value_or(0);
        into.limits.requests = std::make_shared<http::client_limits>(rate);
        into.limits.requests_status = set.limit_req_status.value_or(429);
    }
    if (set.limit_conn) {
        http::client_limit_config in_flight;
        in_flight.max_connections = *set.limit_conn;
        into.limits.in_flight = std::make_shared<http::client_limits>(in_flight);
    }
}

// A location of a site whose own root is `site_root`. As in nginx, a location's add_header
// replaces the site's when it has any.
handlers::location location_of(const location_settings& l, const std::string& site_root,
                               const handlers::place& site, const monitor& m) {
    handlers::location out;
    out.exact = l.path.starts_with("= ");
    out.path = out.exact ? l.path.substr(2) : l.path;
    out.action.return_status = l.return_status;
    out.action.return_text = l.return_text;
    out.action.add_headers = l.add_headers.empty() ? site.add_headers : l.add_headers;
    out.action.access_log = l.access_log.value_or(site.access_log);
    apply_limits(l.limits, site, out.action);
    if (!l.handler.empty()) {
        out.action.routes = std::make_shared<const router>(builtin_handler(l.handler, m));
    } else if (!l.return_status) {
        static_files_options files = l.files;
        if (l.alias) files.url_prefix = out.path;
        out.action.files = files_under(l.root.empty() ? site_root : l.root, std::move(files));
    }
    return out;
}

std::vector<std::string> texts_of(const std::vector<listen_address>& addresses) {
    std::vector<std::string> out;
    for (const listen_address& a : addresses) out.push_back(a.text());
    return out;
}

// What a place adds over TLS: its headers, and the site's Strict-Transport-Security, which
// RFC 6797 forbids over cleartext.
void add_hsts(handlers::place& p, const std::string& hsts) {
    p.tls_add_headers = p.add_headers;
    if (!hsts.empty()) p.tls_add_headers.emplace_back("Strict-Transport-Security", hsts);
}

handlers::site site_of(std::vector<std::string> names, const std::string& root,
                       const static_files_options& files, const header_list& headers,
                       const place_limit_settings& limits, std::optional<bool> access_log,
                       const std::vector<location_settings>& locations,
                       const site_tls_settings& tls, const monitor& m) {
    handlers::site out;
    out.names = std::move(names);
    out.action.files = files_under(root, files);
    out.action.add_headers = headers;
    out.action.access_log = access_log.value_or(true);
    apply_limits(limits, {}, out.action);
    for (const location_settings& l : locations)
        out.locations.push_back(location_of(l, root, out.action, m));
    add_hsts(out.action, tls.hsts);
    for (handlers::location& l : out.locations) add_hsts(l.action, tls.hsts);
    out.verifies_clients = tls.verify != verify_client::off;
    return out;
}

}  // namespace

std::vector<listen_address> listen_addresses(const cli_options& options) {
    std::vector<listen_address> out = options.cfg.listen;
    for (const site_settings& s : options.sites)
        for (const listen_address& a : s.listen)
            if (std::none_of(out.begin(), out.end(),
                             [&](const listen_address& b) { return b.text() == a.text(); }))
                out.push_back(a);
    if (options.metrics_listen &&
        std::none_of(out.begin(), out.end(), [&](const listen_address& b) {
            return b.text() == options.metrics_listen->text();
        }))
        out.push_back(*options.metrics_listen);
    return out;
}

bool counts_requests(const cli_options& options) {
    return options.metrics_listen || attaches_handler(options, "metrics");
}

namespace {

// What every listener but the metrics listener serves.
router public_routes(const cli_options& options, const monitor& m) {
    router routes;
    if (!attaches_handlers(options)) add_builtin_routes(routes);
    if (options.debug_routes) {
        spdlog::warn(
            "--debug-routes: /debug/* lets any client tie up workers; never in production");
        add_debug_routes(routes);
    }
    if (options.sites.empty() && options.locations.empty() && options.add_headers.empty() &&
        options.tls.hsts.empty()) {
        routes.set_fallback(files_under(options.root, options.files));
        return routes;
    }
    std::vector<handlers::site> sites;
    for (const site_settings& s : options.sites) {
        sites.push_back(site_of(s.names, s.root, s.files, s.add_headers, s.limits, s.access_log,
                                s.locations, s.tls, m));
        sites.back().listen = texts_of(s.listen);
    }
    // The top level's limits are the server's own, checked before any site is chosen.
    handlers::site fallback = site_of({}, options.root, options.files, options.add_headers, {},
                                      std::nullopt, options.locations, options.tls, m);
    fallback.listen = texts_of(options.cfg.listen);
    routes.set_fallback(
        std::make_shared<const handlers::virtual_hosts>(std::move(sites), std::move(fallback)));
    return routes;
}

}  // namespace

router build_routes(const cli_options& options, const monitor& m) {
    router routes = public_routes(options, m);
    if (!options.metrics_listen) return routes;
    const std::string address = options.metrics_listen->text();
    std::vector<listen_address> listened = options.cfg.listen;
    for (const site_settings& s : options.sites)
        listened.insert(listened.end(), s.listen.begin(), s.listen.end());
    for (const listen_address& a : listened)
        if (a.text() == address)
            throw std::runtime_error("metrics_listen " + address +
                                     " is also a public listen address: give it one of its own");
    router monitoring;
    add_health_routes(monitoring, m);
    add_metrics_routes(monitoring, m);
    routes.set_listener_routes(address, std::move(monitoring));
    return routes;
}

}  // namespace ringhttpd::app
