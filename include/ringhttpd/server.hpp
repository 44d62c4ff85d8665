#pragma once
// The server: one pinned thread per ring, each with its own SO_REUSEPORT socket on every TCP
// listen address (and a share of each unix socket). start() binds and starts every ring and
// throws std::runtime_error with an actionable message when it cannot.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ringhttpd/config.hpp"
#include "ringhttpd/router.hpp"
#include "ringhttpd/stats.hpp"
#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd {

class server {
  public:
    server(config cfg, router routes);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Before start(): sockets a previous process listened on at `address` (listen_address::
    // text()) and handed over, for an upgrade without a refused connection. start() serves them
    // instead of binding anew, so the connections in their queues are accepted here; sockets
    // of an address the configuration no longer lists are closed.
    void inherit_listeners(const std::string& address, std::vector<unique_fd> sockets);

    void start();
    uint16_t port() const;         // the first TCP address's port, as bound (useful with port 0)
    std::string describe() const;  // the startup summary: addresses, threads, ring setup, features

    // The listening sockets by address, for handing them to a process that takes over. They
    // stay this server's: the receiver gets copies (an exec inherits them, or SCM_RIGHTS).
    std::vector<std::pair<std::string, std::vector<int>>> listening_sockets() const;
    // After handing the sockets over: the unix socket files are the new process's, so neither
    // a drain nor a stop removes them.
    void keep_socket_files();
    // From any thread, in the process that took the sockets over, once the one that handed
    // them over has exited: every ring arms its accepts anew, taking what is queued. Both
    // processes accepted on the same sockets for a while, and the kernel wakes only one accept
    // per connection; a wake-up the old process got and then cancelled left its connection
    // queued with no accept told about it.
    void rearm_accepts();

    // While serving (a reload): listen on exactly `addresses`. New ones are bound first, and if
    // one cannot be, this throws and changes nothing; then every ring accepts on them, and
    // addresses no longer listed are closed. Connections already open are not touched.
    void set_listeners(const std::vector<listen_address>& addresses);

    // From any thread, while serving (a reload): TLS connections accepted after it get these
    // certificates (config::tls_certificates); those already open keep theirs. Loads them all
    // first: if one fails, this throws naming the file and the running ones stay.
    void set_tls_certificates(std::vector<tls_certificate> certificates);

    // From any thread, while serving: requests that start after it are routed by `routes`;
    // requests in flight finish with the routes they started with. Each ring's storage is
    // emptied when it takes the new routes (their handlers make their objects anew).
    void set_routes(router routes);

    // From any thread, while serving: what the rings, the pool and the log have counted, summed
    // now (a scrape). Reads each ring's counters without stopping it.
    server_stats stats() const;

    // From any thread: the access log file is opened again (after logrotate moved it). Every
    // line goes to exactly one of the two files.
    void reopen_logs();

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
