#pragma once
// What a running server has counted, summed over its rings at the moment of the call
// (server::stats). Counters only grow while the process lives; gauges are the moment's values.
// The request figures are counted only when config::metrics is on (requests_counted).

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>
#include <vector>

namespace ringhttpd {

// A distribution as Prometheus has it: bucket i counts the values <= bounds[i] and above the
// previous bound (not cumulative); the last bucket, one past the bounds, those above them all.
struct histogram_stats {
    std::vector<double> bounds;
    std::vector<uint64_t> buckets;  // bounds.size() + 1
    double sum = 0;
    uint64_t count = 0;
};

// The methods the metrics tell apart; any other is counted as "other", so that a client cannot
// make new series by inventing methods.
inline constexpr std::string_view counted_methods[] = {"GET",    "HEAD",    "POST",  "PUT",
                                                       "DELETE", "OPTIONS", "PATCH", "other"};

struct request_count {
    int code = 0;
    std::string_view method;  // one of counted_methods
    uint64_t count = 0;
};

// Why TLS handshakes failed, as the metrics label them (tls_failure_names, in this order).
enum class tls_failure : uint8_t {
    http_request,             // cleartext HTTP sent to the TLS port (answered 400)
    timeout,                  // the handshake did not finish within client_header_timeout
    protocol_version,         // the client offered only versions the server refuses (TLS 1.0)
    no_shared_cipher,         // nor a cipher suite it accepts
    no_application_protocol,  // ALPN without http/1.1
    client_certificate,       // a site that requires one got none, or one that did not verify
    other,                    // any other alert or malformed record
};
inline constexpr std::string_view tls_failure_names[] = {"http_request",
                                                         "timeout",
                                                         "protocol_version",
                                                         "no_shared_cipher",
                                                         "no_application_protocol",
                                                         "client_certificate",
                                                         "other"};
inline constexpr size_t tls_failure_count = std::size(tls_failure_names);

struct tls_stats {
    // Finished handshakes: [0] TLS 1.2, [1] TLS 1.3; each [0] full, [1] resumed.
    uint64_t handshakes[2][2] = {};
    uint64_t failures[tls_failure_count] = {};  // by tls_failure
};

struct server_stats {
    bool requests_counted = false;        // config::metrics: the request figures below are kept
    std::vector<request_count> requests;  // answered requests by status and method, non-zero only
    histogram_stats duration_seconds;     // first byte of the request to its answer queued
    histogram_stats request_bytes;        // as received: head and body
    histogram_stats response_bytes;       // of the response bodies
    uint64_t requests_in_flight = 0;      // handed to a handler and not answered yet

    uint64_t open_connections = 0;
    uint64_t accepted_connections = 0;
    uint64_t recv_no_buffers = 0;  // receives that found every provided buffer in use

    size_t pool_queued = 0;  // jobs waiting for a worker
    uint64_t pool_submitted = 0;
    uint64_t pool_rejected = 0;  // refused with the queue full (answered 503)
    unsigned pool_threads = 0;
    size_t pool_queue_capacity = 0;

    uint64_t limit_req_refused = 0;   // limit_req, server-wide and of sites and locations
    uint64_t limit_conn_refused = 0;  // limit_conn, likewise
    uint64_t file_cache_hits = 0;     // open-file cache lookups on the rings
    uint64_t file_cache_misses = 0;
    uint64_t log_lines_dropped = 0;  // access log lines its buffers had no room for
    tls_stats tls;
    unsigned rings = 0;
};

}  // namespace ringhttpd
