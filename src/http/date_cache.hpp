#pragma once
// The Date header value (RFC 9110 IMF-fixdate), formatted at most once a second per thread.

#include <ctime>
#include <string_view>

namespace ringhttpd::http {

// Formats `t` as "Sun, 06 Nov 1994 08:49:37 GMT" into `out` (at least 30 bytes); returns the view.
std::string_view format_http_date(std::time_t t, char* out);

// Now, as an HTTP date. The view stays valid until the calling thread's next call.
std::string_view http_date_now();

}  // namespace ringhttpd::http
