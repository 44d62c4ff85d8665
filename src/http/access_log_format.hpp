#pragma once
// Access log lines: nginx's `combined` format byte for byte, or one JSON object per line. No
// byte a client sends can break a line or forge another: combined escapes as nginx's default
// (`"`, `\`, control bytes and bytes above 0x7e as \xHH), JSON as nginx's escape=json, except
// that bytes above 0x7f are written as \u00HH too, so every line is ASCII and valid JSON.

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "http/exchange.hpp"

namespace ringhttpd::http {

enum class log_format { combined, json };

// The time fields of one line, formatted once a second per thread.
struct log_time {
    std::string_view local;  // "01/Dec/2026:17:55:27 +0000", nginx's $time_local
    std::string_view iso;    // "2026-12-01T17:55:27.123+00:00", with milliseconds
};
// Now, for a line. The views stay valid until the calling thread's next call.
log_time log_time_now();

// Appends one line, with its newline. `request_id`: a unique id for the JSON format.
void append_log_line(std::string& out, log_format format, const exchange& e, const log_time& t,
                     std::string_view request_id);

}  // namespace ringhttpd::http
