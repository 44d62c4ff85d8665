#pragma once
// Sites chosen by Host and locations chosen by path, as nginx users know them (server_name,
// location = /exact, location /prefix/): the fallback handler of a server that hosts several
// sites. Built once per set of routes, then read-only.
//
// Site selection: the request's host (its port and letter case ignored) against exact names
// first, then wildcards ("*.example.com" matches a.example.com and a.b.example.com, not
// example.com; the longest wins), else the default site. When sites have listen addresses of
// their own, only the sites on the connection's address take part (a site without its own
// addresses is on the fallback's), and the default for an address the fallback does not
// listen on is the first site there, as nginx's default server. Location selection: an exact
// location first, else the longest prefix location, else the site itself. Paths are compared as
// received (percent-encoded).

#include <optional>
#include <string>
#include <vector>

#include "ringhttpd/handler.hpp"

namespace ringhttpd::handlers {

// What a location or a site does with a request.
struct place {
    // `return CODE [TEXT]`: a redirect (3xx: TEXT is the Location) or a fixed answer (TEXT is
    // the body), with $uri, $args, $request_uri and $host replaced. Else files, if any.
    std::optional<int> return_status;
    std::string return_text;
    staged_handler files;     // static files of this place; empty: 404
    header_list add_headers;  // added to every answer from this place
};

struct location {
    bool exact = false;  // "= /path"; else a prefix
    std::string path;
    place action;
};

struct site {
    std::vector<std::string> names;  // "example.com", "*.example.com"
    // The listen addresses it answers on (listen_address::text()); empty: the fallback's.
    std::vector<std::string> listen;
    place action;  // for paths no location matches
    std::vector<location> locations;
};

class virtual_hosts {
  public:
    // `fallback`: the site for hosts no site names.
    virtual_hosts(std::vector<site> sites, site fallback);

    route_result serve(const request& req, const context& ctx) const;

    // For tests: the site and place a request goes to. `listener`: the address the
    // connection came in on.
    const site& site_for(std::string_view host, std::string_view listener = {}) const;
    const place& place_for(const site& s, std::string_view path) const;

  private:
    bool answers_on(const site& s, std::string_view listener) const;
    const site& default_site(std::string_view listener) const;

    std::vector<site> sites_;
    site fallback_;
    bool by_listener_ = false;  // some site has addresses of its own
};

// "$uri?$args" and friends in `text`, for `return`.
std::string expand_variables(std::string_view text, const request& req);

}  // namespace ringhttpd::handlers
