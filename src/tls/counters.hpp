#pragma once
// What one ring's TLS connections count, for the metrics (server_stats::tls). Single writer:
// the ring's thread; read by any.

#include "io/counter.hpp"
#include "ringhttpd/stats.hpp"

namespace ringhttpd::tls {

struct counters {
    io::counter handshakes[2][2];  // as tls_stats::handshakes: [TLS 1.3][resumed]
    io::counter failures[tls_failure_count];

    void add_to(tls_stats& out) const {
        for (size_t v = 0; v < 2; ++v)
            for (size_t r = 0; r < 2; ++r) out.handshakes[v][r] += handshakes[v][r].get();
        for (size_t f = 0; f < tls_failure_count; ++f) out.failures[f] += failures[f].get();
    }
};

}  // namespace ringhttpd::tls
