#include "http/date_cache.hpp"

#include <time.h>

namespace ringhttpd::http {

std::string_view format_http_date(std::time_t t, char* out) {
    std::tm tm{};
    gmtime_r(&t, &tm);  // strftime names days and months in the C locale: never setlocale()
    size_t n = std::strftime(out, 30, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return {out, n};
}

std::string_view http_date_now() {
    thread_local std::time_t cached_second = -1;
    thread_local char text[32];
    thread_local std::string_view formatted;
    timespec now{};
    // The coarse clock is read without a syscall and is precise enough for a one-second field.
    clock_gettime(CLOCK_REALTIME_COARSE, &now);
    if (now.tv_sec != cached_second) {
        cached_second = now.tv_sec;
        formatted = format_http_date(now.tv_sec, text);
    }
    return formatted;
}

}  // namespace ringhttpd::http
