#include "http/ring_counters.hpp"

namespace ringhttpd::http {
namespace {

thread_local ring_counters unbound;
thread_local ring_counters* bound = &unbound;

}  // namespace

void bind_ring_counters(ring_counters& c) {
    bound = &c;
}

ring_counters& this_ring_counters() {
    return *bound;
}

}  // namespace ringhttpd::http
