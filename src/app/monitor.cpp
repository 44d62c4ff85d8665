#include "app/monitor.hpp"

namespace ringhttpd::app {

monitor::monitor()
    : started_(std::chrono::steady_clock::now()),
      start_unix_s_(
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count()) {}

std::optional<server_stats> monitor::stats() const {
    const server* srv = server_.load();
    if (!srv) return std::nullopt;
    return srv->stats();
}

double monitor::uptime_seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

}  // namespace ringhttpd::app
