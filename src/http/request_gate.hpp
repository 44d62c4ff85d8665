#pragma once
// A per-request policy such as a rate limit, asked for each request before it is answered.

#include <cstdint>

#include "io/client_address.hpp"

namespace ringhttpd::http {

// Shared by every ring: thread-safe.
class request_gate {
  public:
    virtual ~request_gate() = default;
    // 0 when the request may go ahead, else the seconds to wait (sent as Retry-After).
    virtual uint32_t check_request(const io::client_address& client, uint64_t now_ms) = 0;
};

}  // namespace ringhttpd::http
