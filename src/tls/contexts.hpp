#pragma once
// A server's TLS configuration made into OpenSSL contexts: one SSL_CTX per certificate, the
// first the default. Built once (at start, and anew by a reload) and shared read-only by every
// ring: connections start on the default context, and the SNI callback moves each to the
// context of the name it asked for. Session tickets and the session cache belong to the context
// a connection started on (OpenSSL's session_ctx), so all of them are the default context's and
// a session made on one ring resumes on any other; their ticket keys are a ticket_keys set,
// which a reload's contexts share with the ones they replace. Settings: TLS 1.2 and 1.3 only, no
// renegotiation, no compression, ALPN http/1.1, SSL_MODE_RELEASE_BUFFERS, kTLS for sending where
// chosen (ktls_probe.hpp). A context may hold key pairs of several types (ECDSA
// beside RSA), and may ask clients for certificates (mTLS).

#include <openssl/ssl.h>

#include <array>
#include <memory>
#include <vector>

#include "ringhttpd/tls_config.hpp"
#include "tls/ocsp_staples.hpp"
#include "tls/server_names.hpp"
#include "tls/ticket_keys.hpp"

namespace ringhttpd::tls {

class contexts {
  public:
    // Loads every certificate and key; `ciphers`: config::tls_ciphers. Throws std::runtime_error
    // naming the file and the fix when one is missing, unreadable, not PEM, or the key does not
    // match its certificate, or an OCSP response does not load (ocsp_staples). `tickets`: the
    // session ticket keys, kept alive by the contexts; null: OpenSSL's own, made anew with each
    // context (as for `-t`, which serves nothing). `kernel_tls_send`: OpenSSL offers each
    // connection's sending keys to the kernel (kernel_tls_send_chosen).
    contexts(const std::vector<tls_certificate>& certificates, const std::string& ciphers,
             std::shared_ptr<ticket_keys> tickets = nullptr, bool kernel_tls_send = false);
    contexts(const contexts&) = delete;
    contexts& operator=(const contexts&) = delete;

    // A new server-side connection on the default context; nullptr when out of memory.
    SSL* new_connection() const;
    // The kernel may take each connection's sending keys (kTLS).
    bool kernel_tls_send() const { return kernel_tls_send_; }
    // Whether the site `ssl` was given by SNI requires a client certificate (verify_client::on).
    bool requires_client_certificate(const SSL* ssl) const;

  private:
    struct ctx_free {
        void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
    };
    using ctx_ptr = std::unique_ptr<SSL_CTX, ctx_free>;

    static int on_server_name(SSL* ssl, int* alert, void* self);
    ctx_ptr make_context(const tls_certificate& certificate, const std::string& ciphers);

    std::shared_ptr<ticket_keys> tickets_;  // before the contexts that point to it
    std::vector<std::unique_ptr<const ocsp_staples>> staples_;  // likewise
    std::array<unsigned char, 32> session_id_context_;          // of every context
    std::vector<ctx_ptr> contexts_;                             // by certificate; [0] the default
    std::vector<verify_client> verify_;                         // by certificate
    server_names names_;
    bool kernel_tls_send_ = false;
};

}  // namespace ringhttpd::tls
