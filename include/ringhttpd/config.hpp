#pragma once
// The server's configuration: one immutable struct, nginx names and defaults where nginx has them.
// Given to ringhttpd::server, then shared read-only by every thread. What to serve is the
// router's business (ringhttpd/router.hpp, ringhttpd/static_files.hpp), not the server's.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ringhttpd/listen_address.hpp"
#include "ringhttpd/tls_config.hpp"

namespace ringhttpd {

// How a worker wakes the ring it hands finished work to.
enum class worker_wake {
    automatic,  // MSG_RING on kernels with the ring-less form (6.13+), else eventfd
    msg_ring,
    eventfd,
};

// The access log's line format.
enum class access_log_format {
    combined,  // nginx's `combined`, byte for byte
    json,      // one JSON object per line
};

struct config {
    // Every address listened on; the same address twice counts once.
    std::vector<listen_address> listen = {listen_address{}};
    unsigned threads = 0;  // 0: one per CPU this process may run on

    // Limits (nginx: client_max_body_size 1m; large_client_header_buffers 4 8k).
    uint64_t client_max_body_size = 1024 * 1024;
    size_t max_request_line = 8 * 1024;  // longer request line -> 414
    size_t max_header_size = 32 * 1024;  // larger header section -> 431

    // Reactor sizing, per ring.
    unsigned ring_entries = 1024;  // SQ size; the CQ is 8x this
    unsigned recv_buffers = 1024;  // provided buffers, a power of two
    unsigned recv_buffer_size = 4096;
    unsigned listen_backlog = 4096;
    // Open connections per process; 0: the open-file limit (raised to its hard limit at startup)
    // less 64 descriptors kept for files and listeners.
    size_t max_connections = 0;

    // Timeouts (nginx names and defaults), in milliseconds.
    uint64_t client_header_timeout_ms = 60'000;  // whole request head, from its first byte -> 408
    uint64_t client_body_timeout_ms = 60'000;    // between two reads of the body -> 408
    uint64_t send_timeout_ms = 60'000;           // no send progress -> close
    uint64_t keepalive_timeout_ms = 75'000;      // idle between requests -> close; 0: no keep-alive
    uint32_t keepalive_requests = 1000;          // requests per connection before Connection: close

    unsigned shutdown_timeout_ms = 30'000;  // graceful drain gives up after this

    // The worker pool for blocking work (files not in a ring's cache, blocking handlers).
    unsigned workers = 0;        // 0: twice the CPUs this process may run on, 4 to 64
    size_t worker_queue = 1024;  // jobs waiting for a worker; beyond it requests get 503
    worker_wake wake = worker_wake::automatic;

    // The access log (nginx access_log): a file path, "stdout", or "off". Lines are buffered per
    // ring and written by a thread of their own; SIGUSR1 (server::reopen_logs) reopens the file.
    std::string access_log = "off";
    access_log_format log_format = access_log_format::combined;
    uint64_t access_log_rotate_size = 10 * 1024 * 1024;  // FILE -> FILE.1 at this size; 0: never
    unsigned access_log_rotate_files = 5;                // FILE.1 .. FILE.N are kept

    // Count every answered request for server::stats (requests by status and method, durations,
    // sizes, in flight). Off, those figures stay zero and the rings skip the counting; the
    // connection, pool, limit and cache figures are counted either way.
    bool metrics = false;

    // X-Content-Type-Options, X-Frame-Options and Referrer-Policy on every response.
    bool security_headers = true;
    // "Server: ringhttpd/<version>" instead of "Server: ringhttpd". Off by default, unlike
    // nginx: the version helps nobody but scanners.
    bool server_tokens = false;

    // Per-client limits (nginx limit_req / limit_conn), off when 0.
    double limit_req_rate = 0;     // requests per second per client address
    uint32_t limit_req_burst = 0;  // requests above the rate served at once (burst=N nodelay)
    int limit_req_status = 429;    // 429 or 503
    uint32_t limit_conn = 0;       // concurrent connections per client address (503 above it)

    // Behind a proxy (nginx real_ip_from / real_ip_header): requests from these addresses or
    // CIDR ranges ("10.0.0.0/8", "::1") name their client in real_ip_header, and limit_req
    // counts that client. Empty: the socket's peer is the client.
    std::vector<std::string> real_ip_from;
    std::string real_ip_header = "X-Forwarded-For";  // or "X-Real-IP"

    // TLS listeners (listen_address::tls) answer with these certificates, chosen by SNI; the
    // first answers clients that send no name or one no certificate has. Needed when a
    // listener is marked tls. TLS 1.2 and 1.3 only.
    std::vector<tls_certificate> tls_certificates;
    // TLS 1.2 ciphers in OpenSSL's syntax, or "intermediate": mozilla_intermediate_ciphers.
    std::string tls_ciphers = "intermediate";
    // Session tickets: a new key every period, and a ticket opens while its key is current or
    // the one before (so a ticket lives one period at least and two at most). Clients are
    // told one period. The keys outlive reloads. At least a second, at most 7 days.
    uint64_t tls_session_ticket_rotate_ms = 12ull * 3600 * 1000;
    // kTLS for the sending side: files go out with sendfile, encrypted by the kernel.
    kernel_tls_mode tls_ktls = kernel_tls_mode::automatic;
    // Full handshakes (signature and key exchange) go on on the worker pool after their
    // ClientHello, so that a ring's other connections do not wait for them.
    bool tls_handshake_offload = true;
};

}  // namespace ringhttpd
