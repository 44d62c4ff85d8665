#pragma once
// limit_req and limit_conn of a site or location, as nginx has them inside a server or location
// block: they count only the requests to that place, per client address (request::client, the
// real client behind a trusted proxy), in zones of the place's own, apart from the server-wide
// limits the session checks first. A location that sets none shares its site's zones, as a
// location inherits its server's limit_req and limit_conn in nginx. Built with the routes;
// the zones are thread-safe and shared by every ring.

#include <memory>
#include <optional>

#include "http/client_limits.hpp"
#include "ringhttpd/request.hpp"
#include "ringhttpd/response.hpp"

namespace ringhttpd::handlers {

struct place_limits {
    std::shared_ptr<http::client_limits> requests;  // limit_req; null: none
    int requests_status = 429;                      // limit_req_status
    // limit_conn: requests of one client being answered here at once (inline or on the pool).
    std::shared_ptr<http::client_limits> in_flight;
};

using http::in_flight_hold;  // keeps a request counted in its place's limit_conn

// Whether `req` may go ahead at a place: nullopt, with `hold` set when the place counts requests
// in flight; else the answer to send instead (status and Retry-After, as the server-wide limits).
std::optional<response> admit(const place_limits& limits, const request& req, in_flight_hold& hold);

}  // namespace ringhttpd::handlers
