#include "handlers/place_limits.hpp"

#include <chrono>

namespace ringhttpd::handlers {
namespace {

uint64_t now_ms() {
    return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count());
}

// One request counted in a limit_conn zone: released when the last copy of the work answering
// it is gone. Made in place only: a copy would release twice.
struct in_flight_slot {
    std::shared_ptr<http::client_limits> zone;
    io::client_address client;
    ~in_flight_slot() { zone->release(client); }
};

}  // namespace

std::optional<response> admit(const place_limits& limits, const request& req,
                              in_flight_hold& hold) {
    const io::client_address client{req.client};
    // The rate first: a request refused for it takes no place among those in flight.
    if (limits.requests)
        if (const uint32_t wait_s = limits.requests->check_request(client, now_ms()))
            return http::over_limit(limits.requests_status, wait_s);
    if (limits.in_flight) {
        if (!limits.in_flight->admit(client)) return http::over_limit(503, 1);
        hold = std::make_shared<const in_flight_slot>(limits.in_flight, client);
    }
    return std::nullopt;
}

}  // namespace ringhttpd::handlers
