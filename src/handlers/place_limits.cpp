#include "handlers/place_limits.hpp"

#include <chrono>

#include "http/ring_counters.hpp"

namespace ringhttpd::handlers {
namespace {

uint64_t now_ms() {
    return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count());
}

}  // namespace

std::optional<response> admit(const place_limits& limits, const request& req,
                              in_flight_hold& hold) {
    const io::client_address client{req.client};
    // The rate first: a request refused for it takes no place among those in flight.
    if (limits.requests)
        if (const uint32_t wait_s = limits.requests->check_request(client, now_ms())) {
            http::this_ring_counters().limit_req_refused.add();
            return http::over_limit(limits.requests_status, wait_s);
        }
    if (limits.in_flight && !(hold = http::hold_in_flight(limits.in_flight, client))) {
        http::this_ring_counters().limit_conn_refused.add();
        return http::over_limit(503, 1);
    }
    return std::nullopt;
}

}  // namespace ringhttpd::handlers
