#pragma once
// Sites chosen by Host and locations chosen by path, as nginx users know them (server_name,
// location = /exact, location /prefix/): the fallback routes of a server that hosts several
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

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "handlers/place_limits.hpp"
#include "ringhttpd/handler.hpp"
#include "ringhttpd/router.hpp"

namespace ringhttpd::handlers {

// What a location or a site does with a request. First its limits; then `return CODE [TEXT]`
// (any method): a redirect (3xx: TEXT is the Location) or a fixed answer (TEXT is the body), with
// $uri, $args, $request_uri and $host replaced; else its routes (any method), else its files
// (GET and HEAD).
struct place {
    std::optional<int> return_status;
    std::string return_text;
    std::shared_ptr<const router> routes;   // built-in handlers attached here; else files
    staged_handler files;                   // static files of this place; empty: 404
    header_list add_headers;                // added to every answer from this place
    header_list tls_add_headers;            // the same over TLS: and the site's HSTS
    std::optional<uint64_t> max_body_size;  // client_max_body_size; nullopt: the server's
    place_limits limits;                    // limit_req, limit_conn
    bool access_log = true;                 // false: its answers are not logged
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
    bool verifies_clients = false;  // asks TLS clients for certificates (tls_verify_client)
};

class virtual_hosts final : public fallback_routes {
  public:
    // `fallback`: the site for hosts no site names.
    virtual_hosts(std::vector<site> sites, site fallback);

    route_result dispatch(request& req, const context& ctx) const override;
    // Cheap when no place sets one: no lookup then.
    std::optional<uint64_t> body_limit(const request& head) const override;

    // For tests: the site and place a request goes to. `listener`: the address the
    // connection came in on.
    const site& site_for(std::string_view host, std::string_view listener = {}) const;
    const place& place_for(const site& s, std::string_view path) const;

  private:
    bool answers_on(const site& s, std::string_view listener) const;
    // A TLS client that named one site by SNI and another by Host, where either checks client
    // certificates: answered 421, so that Host cannot skip the checks of the site it names.
    bool misdirected(const site& by_host, const request& req) const;
    const site& default_site(std::string_view listener) const;

    std::vector<site> sites_;
    site fallback_;
    bool by_listener_ = false;       // some site has addresses of its own
    bool has_body_limits_ = false;   // some place sets its own client_max_body_size
    bool verifies_clients_ = false;  // some site checks client certificates
};

// "$uri?$args" and friends in `text`, for `return`.
std::string expand_variables(std::string_view text, const request& req);

}  // namespace ringhttpd::handlers
