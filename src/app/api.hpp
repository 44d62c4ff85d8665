#pragma once
// The built-in dynamic endpoints: /api/hello, /api/time, /api/echo and /hello/{name}.

#include <ctime>
#include <string>
#include <string_view>

#include "ringhttpd/router.hpp"

namespace ringhttpd::app {

void add_builtin_routes(router& routes);

// Pure pieces, exposed for unit tests.
std::string iso8601_local(std::time_t seconds,
                          long milliseconds);      // "2026-11-23T04:35:20.123+00:00"
size_t json_nesting_depth(std::string_view text);  // deepest [ or { outside strings
std::string echo_json(std::string_view body);      // {"echo":...}

}  // namespace ringhttpd::app
