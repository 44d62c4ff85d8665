#pragma once
// What the code a ring runs counts besides its exchanges, for the metrics: refusals by limit_req
// and limit_conn (the server's and a place's) and lookups in the open-file cache. Those happen
// deep in handlers that never see the ring, so each ring thread binds its counters once, and the
// code that counts finds them as this thread's. A thread that bound none (a worker, a test)
// counts into counters of its own that nobody reads. Single writer: the thread that bound them.

#include "io/counter.hpp"

namespace ringhttpd::http {

struct ring_counters {
    io::counter limit_req_refused;
    io::counter limit_conn_refused;
    io::counter file_cache_hits;
    io::counter file_cache_misses;
};

// On a ring thread before it serves: `c` must outlive the thread's serving.
void bind_ring_counters(ring_counters& c);
ring_counters& this_ring_counters();

}  // namespace ringhttpd::http
