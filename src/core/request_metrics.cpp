#include "core/request_metrics.hpp"

#include <algorithm>

namespace ringhttpd::core {
namespace {

size_t method_index(http_method m) {
    switch (m) {
        case http_method::get:
            return 0;
        case http_method::head:
            return 1;
        case http_method::post:
            return 2;
        case http_method::put:
            return 3;
        case http_method::delete_:
            return 4;
        case http_method::options:
            return 5;
        case http_method::patch:
            return 6;
        default:
            return 7;  // "other"
    }
}

static_assert([] {
    for (size_t i = 0; i < std::size(size_bounds); ++i)
        if (size_bucket(size_bounds[i]) != i || size_bucket(size_bounds[i] + 1) != i + 1)
            return false;
    return size_bucket(1) == 0 && size_bucket(UINT64_MAX) == std::size(size_bounds);
}());

// Few buckets, and most requests take well under a millisecond: a scan from the fastest bucket
// ends within the first few.
size_t duration_bucket(uint64_t ns) {
    size_t i = 0;
    while (i < std::size(duration_bounds_ns) && ns > duration_bounds_ns[i]) ++i;
    return i;
}

}  // namespace

template <size_t N>
void request_metrics::histogram<N>::add_to(histogram_stats& into, const uint64_t (&bounds)[N],
                                           double scale) const {
    if (into.bounds.empty()) {
        for (uint64_t b : bounds) into.bounds.push_back(double(b) * scale);
        into.buckets.assign(N + 1, 0);
    }
    for (size_t i = 0; i <= N; ++i) {
        const uint64_t n = buckets[i].get();
        into.buckets[i] += n;
        into.count += n;
    }
    into.sum += double(sum.get()) * scale;
}

void request_metrics::record(const http::exchange& e) {
    const int code = std::clamp(e.status, lowest_code, highest_code);
    requests_[size_t(code - lowest_code) * methods + method_index(e.req.method)].add();
    duration_.record(duration_bucket(e.duration_ns), e.duration_ns);
    request_size_.record(size_bucket(e.bytes_read), e.bytes_read);
    response_size_.record(size_bucket(e.body_bytes), e.body_bytes);
    if (e.dispatched) finished_.add();
}

void request_metrics::add_to(server_stats& into, std::span<uint64_t> request_counts) const {
    for (size_t i = 0; i < request_slots; ++i) request_counts[i] += requests_[i].get();
    duration_.add_to(into.duration_seconds, duration_bounds_ns, 1e-9);
    request_size_.add_to(into.request_bytes, size_bounds, 1);
    response_size_.add_to(into.response_bytes, size_bounds, 1);
    // Read finished first: a request that finishes between the two reads is then counted in
    // flight for a moment rather than making the difference negative.
    const uint64_t finished = finished_.get();
    const uint64_t dispatched = dispatched_.get();
    into.requests_in_flight += dispatched > finished ? dispatched - finished : 0;
}

void request_metrics::add_requests(server_stats& into, std::span<const uint64_t> request_counts) {
    for (size_t i = 0; i < request_slots; ++i)
        if (request_counts[i])
            into.requests.push_back(
                {lowest_code + int(i / methods), counted_methods[i % methods], request_counts[i]});
}

}  // namespace ringhttpd::core
