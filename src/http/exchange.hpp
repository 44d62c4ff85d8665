#pragma once
// One answered request, as the access log and the metrics see it. The session makes it at the
// one place a response is finished (queued whole for sending, or refused), and hands it to its
// ring's observer.

#include <cstdint>

#include "io/client_address.hpp"
#include "ringhttpd/request.hpp"

namespace ringhttpd::http {

struct exchange {
    // The request as far as it was parsed: method, target, version, headers. A request refused
    // before its request line was read (a 400 for garbage) has an empty target.
    const request& req;
    io::client_address client;  // the real client (after real_ip_from)
    int status = 0;
    uint64_t body_bytes = 0;   // of the response body (0 for HEAD, 204 and 304)
    uint64_t bytes_read = 0;   // of the request: head and body as received
    uint64_t duration_ns = 0;  // from the request's first byte to its response being queued
    bool logged = true;        // false: its place said access_log = off
    bool dispatched = false;   // it went to a handler (on_dispatched), rather than refused early
};

// Sees every exchange of one ring, on that ring's thread.
class exchange_observer {
  public:
    virtual ~exchange_observer() = default;
    // A complete request goes to a handler: it is in flight until its exchange (dispatched set),
    // or until on_abandoned when its connection goes away first.
    virtual void on_dispatched() = 0;
    virtual void on_abandoned() = 0;
    virtual void on_exchange(const exchange& e) = 0;
};

}  // namespace ringhttpd::http
