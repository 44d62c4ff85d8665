#include "app/app_routes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "app/api.hpp"
#include "app/debug.hpp"
#include "handlers/virtual_hosts.hpp"
#include "ringhttpd/static_files.hpp"

namespace ringhttpd::app {
namespace {

staged_handler files_under(const std::string& root, static_files_options files) {
    return static_files(root, std::move(files)).handler();
}

// A location of a site whose own root is `site_root`. As in nginx, a location's add_header
// replaces the site's when it has any.
handlers::location location_of(const location_settings& l, const std::string& site_root,
                               const header_list& site_headers) {
    handlers::location out;
    out.exact = l.path.starts_with("= ");
    out.path = out.exact ? l.path.substr(2) : l.path;
    out.action.return_status = l.return_status;
    out.action.return_text = l.return_text;
    out.action.add_headers = l.add_headers.empty() ? site_headers : l.add_headers;
    if (!l.return_status) {
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

handlers::site site_of(std::vector<std::string> names, const std::string& root,
                       const static_files_options& files, const header_list& headers,
                       const std::vector<location_settings>& locations) {
    handlers::site out;
    out.names = std::move(names);
    out.action.files = files_under(root, files);
    out.action.add_headers = headers;
    for (const location_settings& l : locations)
        out.locations.push_back(location_of(l, root, headers));
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
    return out;
}

router build_routes(const cli_options& options) {
    router routes;
    add_builtin_routes(routes);
    if (options.debug_routes) {
        spdlog::warn(
            "--debug-routes: /debug/* lets any client tie up workers; never in production");
        add_debug_routes(routes);
    }
    if (options.sites.empty() && options.locations.empty() && options.add_headers.empty()) {
        routes.set_fallback(files_under(options.root, options.files));
        return routes;
    }
    std::vector<handlers::site> sites;
    for (const site_settings& s : options.sites) {
        sites.push_back(site_of(s.names, s.root, s.files, s.add_headers, s.locations));
        sites.back().listen = texts_of(s.listen);
    }
    handlers::site fallback =
        site_of({}, options.root, options.files, options.add_headers, options.locations);
    fallback.listen = texts_of(options.cfg.listen);
    auto hosts =
        std::make_shared<const handlers::virtual_hosts>(std::move(sites), std::move(fallback));
    routes.set_fallback(
        [hosts](const request& req, const context& ctx) { return hosts->serve(req, ctx); });
    return routes;
}

}  // namespace ringhttpd::app
