#pragma once
// The error log: spdlog on stderr, one line per event with time, level and message, at the
// threshold `log_level` sets (nginx's level names).

#include <string>

namespace ringhttpd::app {

void start_error_log();
// "debug", "info", "notice" (as info), "warn", "error" or "crit".
void set_error_log_level(const std::string& level);

}  // namespace ringhttpd::app
