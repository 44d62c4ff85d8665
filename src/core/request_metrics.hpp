#pragma once
// One ring's request metrics: answered requests by status and method, histograms of duration and
// sizes, and requests in flight. Written by that ring's thread only (io::counter: no lock, no
// shared read-modify-write), read by a scrape on any thread, which sums every ring's.

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <span>

#include "http/exchange.hpp"
#include "io/counter.hpp"
#include "ringhttpd/stats.hpp"

namespace ringhttpd::core {

// Upper bounds of the buckets, in the unit the values are recorded in (nanoseconds, bytes).
// Durations go down to 10 µs: a cached file is answered in a few microseconds.
inline constexpr uint64_t duration_bounds_ns[] = {
    10'000,        25'000,        50'000,        100'000,       250'000,
    500'000,       1'000'000,     2'500'000,     5'000'000,     10'000'000,
    25'000'000,    50'000'000,    100'000'000,   250'000'000,   500'000'000,
    1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};
// Sizes go up by four from 64 bytes, so that a size finds its bucket by its bit width
// (size_bucket) rather than by comparing it with each bound.
inline constexpr uint64_t size_bounds[] = {64,     256,     1024,    4096,     16384,   65536,
                                           262144, 1048576, 4194304, 16777216, 67108864};

constexpr size_t size_bucket(uint64_t bytes) {
    if (bytes <= size_bounds[0]) return 0;
    return std::min<size_t>(std::size(size_bounds), size_t(std::bit_width(bytes - 1) - 5) / 2);
}

class request_metrics {
  public:
    void on_dispatched() { dispatched_.add(); }
    void on_abandoned() { finished_.add(); }
    void record(const http::exchange& e);
    // Adds this ring's figures to `into` (its request counts by index; see add_requests).
    void add_to(server_stats& into, std::span<uint64_t> request_counts) const;

    static constexpr int lowest_code = 100, highest_code = 599;
    static constexpr size_t methods = std::size(counted_methods);
    static constexpr size_t request_slots = size_t(highest_code - lowest_code + 1) * methods;
    // server_stats::requests from counts summed with add_to.
    static void add_requests(server_stats& into, std::span<const uint64_t> request_counts);

  private:
    template <size_t N>
    struct histogram {
        std::array<io::counter, N + 1> buckets;
        io::counter sum;
        void record(size_t bucket, uint64_t value) {
            buckets[bucket].add();
            sum.add(value);
        }
        void add_to(histogram_stats& into, const uint64_t (&bounds)[N], double scale) const;
    };

    std::array<io::counter, request_slots> requests_;
    histogram<std::size(duration_bounds_ns)> duration_;
    histogram<std::size(size_bounds)> request_size_, response_size_;
    io::counter dispatched_, finished_;
};

}  // namespace ringhttpd::core
