#include "app/error_log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace ringhttpd::app {

void start_error_log() {
    auto logger = spdlog::stderr_color_mt("ringhttpd");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z [%^%l%$] %v");
    spdlog::set_default_logger(logger);
    spdlog::flush_on(spdlog::level::info);
}

void set_error_log_level(const std::string& level) {
    using spdlog::level::level_enum;
    level_enum value = level_enum::info;  // "info" and "notice": spdlog has no notice
    if (level == "debug") value = level_enum::debug;
    if (level == "warn") value = level_enum::warn;
    if (level == "error") value = level_enum::err;
    if (level == "crit") value = level_enum::critical;
    spdlog::set_level(value);
    // Lines at or above warn are flushed at once whatever the level, so none is lost in a crash.
    spdlog::flush_on(std::min(value, level_enum::info));
}

}  // namespace ringhttpd::app
