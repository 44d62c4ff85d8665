#pragma once
// Parsing HTTP dates (RFC 9110 §5.6.7): IMF-fixdate, and the two obsolete forms recipients must
// still accept (RFC 850 and asctime).

#include <ctime>
#include <optional>
#include <string_view>

namespace ringhttpd::http {

// Seconds since the epoch, or nullopt when `text` is not an HTTP date.
std::optional<std::time_t> parse_http_date(std::string_view text);

}  // namespace ringhttpd::http
