#pragma once
// Full handshakes on the worker pool. A full handshake signs with the certificate's key (an RSA
// 2048 signature costs about 0.8 ms here, ECDSA P-256 0.03 ms) and makes a key exchange: done on
// the ring, every other connection of that ring waits for it. With the offload on, OpenSSL
// stops right after it has read a ClientHello that does not try to resume (OpenSSL's ClientHello
// callback asks to be called again), and the connection hands the rest of that step, up to the
// server's whole first flight, to a worker; the ring goes on with its other connections and
// sends the flight when the worker is done. Resumed handshakes (a PSK, a ticket or a session
// ID offered) stay on the ring: they sign nothing.

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "io/output_queue.hpp"
#include "io/stream_handler.hpp"
#include "ringhttpd/unique_fd.hpp"
#include "tls/ssl_state.hpp"

namespace ringhttpd::tls {

// Installs the ClientHello callback on `ctx`. It stops a handshake only for a connection whose
// endpoints say handshake_place::pool_allowed, and only once.
void stop_full_handshakes_for_the_pool(SSL_CTX* ctx);

// What a worker's handshake step made: the records to send, and how SSL_do_handshake ended.
struct handshake_step final : io::work_result {
    io::output_queue records;
    int error = SSL_ERROR_NONE;  // SSL_get_error's; SSL_ERROR_NONE: the handshake is done
    unsigned long reason = 0;    // the worker's first OpenSSL error (its error queue is its own)
};

// The step as pool work: the handshake of `state` goes on from its ClientHello with `input`,
// what the ring received after it. `socket`: a duplicate of the connection's descriptor, for
// kTLS, which takes the keys when the server's Finished is written (TLS 1.3); the duplicate
// keeps the socket from being replaced by another connection's while the worker holds it.
// Empty: the step hands the kernel nothing.
io::work handshake_step_on_worker(std::shared_ptr<ssl_state> state, std::string input,
                                  unique_fd socket);

}  // namespace ringhttpd::tls
