#include "tls/handshake_offload.hpp"

#include <openssl/err.h>
#include <openssl/tls1.h>

namespace ringhttpd::tls {
namespace {

// Whether the ClientHello offers to resume: a TLS 1.3 PSK, a TLS 1.2 ticket, or a TLS 1.2
// session ID (a TLS 1.3 client sends a random legacy ID, which resumes nothing).
bool tries_to_resume(SSL* ssl) {
    const unsigned char* data = nullptr;
    size_t length = 0;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_psk, &data, &length) == 1) return true;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_session_ticket, &data, &length) == 1 &&
        length > 0)
        return true;
    const bool offers_tls13 =
        SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_supported_versions, &data, &length) == 1;
    return !offers_tls13 && SSL_client_hello_get0_session_id(ssl, &data) > 0;
}

int on_client_hello(SSL* ssl, int*, void*) {
    bio_endpoints& ends = endpoints_of(ssl);
    if (ends.place != handshake_place::pool_allowed || tries_to_resume(ssl))
        return SSL_CLIENT_HELLO_SUCCESS;
    // Called again when the handshake goes on (on the worker), and then it goes through.
    ends.place = handshake_place::pool_requested;
    return SSL_CLIENT_HELLO_RETRY;
}

}  // namespace

void stop_full_handshakes_for_the_pool(SSL_CTX* ctx) {
    SSL_CTX_set_client_hello_cb(ctx, on_client_hello, nullptr);
}

io::work handshake_step_on_worker(std::shared_ptr<ssl_state> state, std::string input,
                                  unique_fd socket) {
    // std::function copies its target: the descriptor is shared by the copies.
    auto fd = std::make_shared<const unique_fd>(std::move(socket));
    return [state = std::move(state), input = std::move(input), fd]() {
        auto step = std::make_unique<handshake_step>();
        bio_endpoints& ends = state->ends;
        ends.out = &step->records;
        ends.input = input;
        ends.fd = fd->get();
        const int done = SSL_do_handshake(state->ssl);
        step->error = done == 1 ? SSL_ERROR_NONE : SSL_get_error(state->ssl, done);
        step->reason = ERR_peek_error();
        ERR_clear_error();  // this thread's queue, not the next job's
        ends.out = nullptr;
        ends.input = {};
        ends.fd = -1;
        return step;
    };
}

}  // namespace ringhttpd::tls
