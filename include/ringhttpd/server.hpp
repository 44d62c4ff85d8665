#pragma once
// The server: one pinned thread per ring, each with its own SO_REUSEPORT listener. start() binds
// and starts every ring and throws std::runtime_error with an actionable message when it cannot.

#include <memory>
#include <string>

#include "ringhttpd/config.hpp"
#include "ringhttpd/router.hpp"

namespace ringhttpd {

class server {
  public:
    server(config cfg, router routes);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    void start();
    uint16_t port() const;         // the port actually bound (useful with port 0)
    std::string describe() const;  // the startup summary: address, threads, ring setup, features

    // From any thread, while serving: requests that start after it are routed by `routes`;
    // requests in flight finish with the routes they started with. Each ring's storage is
    // emptied when it takes the new routes (their handlers make their objects anew).
    void set_routes(router routes);

    // stop() and drain() may be called from any thread, e.g. one that handles signals.
    void stop();   // fast: close everything now; pooled work sees context::stop
    void drain();  // graceful: stop accepting, finish in-flight requests, close idle connections
    // Until every ring thread has exited; then closes every socket, the listeners too.
    void wait();

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ringhttpd
