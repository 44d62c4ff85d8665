#pragma once
// What a running server has counted, summed over its rings at the moment of the call
// (server::stats). Counters only grow while the process lives; gauges are the moment's values.
// The request figures are counted only when config::metrics is on (requests_counted).

#include <cstdint>
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
    unsigned rings = 0;
};

}  // namespace ringhttpd
