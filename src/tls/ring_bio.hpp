#pragma once
// The BIO between OpenSSL and the ring: OpenSSL reads ciphertext from the receive buffer the
// ring just filled and writes its records straight into the connection's output queue, which
// the ring sends. OpenSSL never touches the socket, never blocks, and the BIO holds no buffer of
// its own (OpenSSL keeps a partial record in its own read buffer until the rest arrives).
// Where the kernel can, it also takes the sending side over from OpenSSL (ktls_send.hpp).

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <string_view>

#include "io/output_queue.hpp"
#include "tls/ktls_send.hpp"

namespace ringhttpd::tls {

// Where a full handshake's expensive step runs (handshake_offload.hpp).
enum class handshake_place : uint8_t {
    ring,            // on the ring thread, as every step of a connection
    pool_allowed,    // a full handshake may go to the worker pool
    pool_requested,  // it stopped after the ClientHello to go there
};

// What the BIO reads from and writes to, set around each call into OpenSSL.
struct bio_endpoints {
    std::string_view input;           // received, not yet read by OpenSSL
    io::output_queue* out = nullptr;  // where records go; never null during a call
    int fd = -1;                      // the connection's socket, for kTLS
    ktls_send ktls;                   // the kernel's part in sending, if it has one
    handshake_place place = handshake_place::ring;
};

// The endpoints of `ssl`'s BIO (made by make_ring_bio).
bio_endpoints& endpoints_of(const SSL* ssl);

// A BIO on `ends`, which must outlive it (nullptr when out of memory). Reads say "retry" when
// `input` is used up.
BIO* make_ring_bio(bio_endpoints* ends);

}  // namespace ringhttpd::tls
