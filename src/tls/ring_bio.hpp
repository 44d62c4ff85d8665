#pragma once
// The BIO between OpenSSL and the ring: OpenSSL reads ciphertext from the receive buffer the
// ring just filled and writes its records straight into the connection's output queue, which
// the ring sends. OpenSSL never touches the socket, never blocks, and the BIO holds no buffer of
// its own (OpenSSL keeps a partial record in its own read buffer until the rest arrives).
// Once the handshake has the application keys, the sending side leaves OpenSSL: to the kernel
// where it can (ktls_send.hpp), else to a sealer here in user space (record_sealer.hpp).

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <string_view>

#include "io/output_queue.hpp"
#include "tls/ktls_send.hpp"
#include "tls/record_sealer.hpp"

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
    record_sealer sealer;             // else ours, if the cipher allows
    // The kernel may take the keys (config::tls_ktls, decided at start: ktls_probe.hpp).
    bool kernel_may_seal = false;
    // Once either took the keys: the type of OpenSSL's next write (one record); 0 for
    // application data.
    uint8_t record_type = 0;

    // OpenSSL encrypts no more: it writes in the clear, and the connection's own bytes skip it.
    bool sending_taken() const { return ktls.accepted() || sealer.accepted(); }
    handshake_place place = handshake_place::ring;
};

// The endpoints of `ssl`'s BIO (made by make_ring_bio).
bio_endpoints& endpoints_of(const SSL* ssl);

// Hands each TLS 1.3 connection's server application traffic secret to its sealer (through
// OpenSSL's keylog callback; it never leaves the process), which derives the keys of a
// KeyUpdate from it (record_sealer.hpp).
void keep_traffic_secrets(SSL_CTX* ctx);

// A BIO on `ends`, which must outlive it (nullptr when out of memory). Reads say "retry" when
// `input` is used up.
BIO* make_ring_bio(bio_endpoints* ends);

}  // namespace ringhttpd::tls
