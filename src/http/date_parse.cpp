#include "http/date_parse.hpp"

#include <time.h>

#include <string>

namespace ringhttpd::http {

std::optional<std::time_t> parse_http_date(std::string_view text) {
    // strptime reads day and month names in the C locale, which this process never changes.
    static constexpr const char* formats[] = {
        "%a, %d %b %Y %H:%M:%S GMT",  // Sun, 06 Nov 1994 08:49:37 GMT
        "%A, %d-%b-%y %H:%M:%S GMT",  // Sunday, 06-Nov-94 08:49:37 GMT
        "%a %b %e %H:%M:%S %Y",       // Sun Nov  6 08:49:37 1994
    };
    const std::string copy(text);  // strptime needs a terminated string
    for (const char* format : formats) {
        std::tm tm{};
        const char* end = strptime(copy.c_str(), format, &tm);
        if (end && *end == '\0') return timegm(&tm);
    }
    return std::nullopt;
}

}  // namespace ringhttpd::http
