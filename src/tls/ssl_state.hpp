#pragma once
// One TLS connection's OpenSSL object with the endpoints of its BIO, owned together and shared:
// by the connection's stream, and while a handshake step runs on the worker pool
// (handshake_offload.hpp) by that job too, so that a connection closed meanwhile frees neither
// under the worker. It also keeps the contexts alive whose callbacks (SNI, tickets, OCSP) the
// handshake calls.

#include <openssl/ssl.h>

#include <memory>

#include "tls/contexts.hpp"
#include "tls/ring_bio.hpp"

namespace ringhttpd::tls {

struct ssl_state {
    // A server-side connection on `tls`'s default context; `ssl` is null when out of memory.
    explicit ssl_state(std::shared_ptr<const contexts> tls);
    ~ssl_state();
    ssl_state(const ssl_state&) = delete;
    ssl_state& operator=(const ssl_state&) = delete;

    std::shared_ptr<const contexts> tls;
    bio_endpoints ends;  // before `ssl`, whose BIO points to it
    SSL* ssl = nullptr;
};

}  // namespace ringhttpd::tls
