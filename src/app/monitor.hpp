#pragma once
// What the process tells its observers beyond the server's own figures: when it started, its
// reloads, whether it is draining, its version. The metrics, status and health handlers read it
// (on ring threads); main and the reloader write it. Made before the server and outliving it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

#include "ringhttpd/server.hpp"

namespace ringhttpd::app {

class monitor {
  public:
    monitor();
    monitor(const monitor&) = delete;
    monitor& operator=(const monitor&) = delete;

    // Once the server serves: stats() reads it from then on.
    void attach(const server& srv) { server_.store(&srv); }
    // The server's figures, or nullopt before attach (a -t run builds routes without one).
    std::optional<server_stats> stats() const;

    void count_reload(bool applied) { (applied ? applied_ : refused_).fetch_add(1); }
    uint64_t reloads_applied() const { return applied_.load(); }
    uint64_t reloads_refused() const { return refused_.load(); }
    // The configuration being served: 1 at start, one more with each applied reload.
    uint64_t generation() const { return 1 + reloads_applied(); }

    // From the moment a drain starts (SIGQUIT, or an upgrade handing over): /readyz fails so
    // that load balancers stop sending, while /healthz still succeeds.
    void start_draining() { draining_.store(true); }
    bool draining() const { return draining_.load(); }

    double uptime_seconds() const;
    double start_time_seconds() const { return start_unix_s_; }  // Unix time

  private:
    std::atomic<const server*> server_{nullptr};
    std::atomic<uint64_t> applied_{0}, refused_{0};
    std::atomic<bool> draining_{false};
    const std::chrono::steady_clock::time_point started_;
    const double start_unix_s_;
};

}  // namespace ringhttpd::app
