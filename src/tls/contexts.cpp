#include "tls/contexts.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>

#include "tls/handshake_offload.hpp"

namespace ringhttpd::tls {
namespace {

// ALPN, in wire format. Offered in the server's order of preference; h2 goes first once the
// server speaks it.
constexpr unsigned char alpn_protocols[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// Resumption is allowed between contexts of this server only (a ticket from another program
// with the same certificate is refused), and only under the client checks a session was made
// under: the ticket keys outlive reloads, so a session whose client certificate was verified
// against the CAs before a reload must not resume once those change (nginx hashes its
// session ID context from the same). One context for all sites, so that sessions still resume
// across them as before.
std::array<unsigned char, 32> session_id_context_of(const std::vector<tls_certificate>& all) {
    std::string checks = "ringhttpd";
    for (const tls_certificate& certificate : all) {
        checks += char('0' + int(certificate.verify));
        if (certificate.verify == verify_client::off) continue;
        std::ifstream in(certificate.client_ca_file, std::ios::binary);
        checks.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        checks += '\0';
    }
    std::array<unsigned char, 32> out{};
    unsigned int length = 0;
    EVP_Digest(checks.data(), checks.size(), out.data(), &length, EVP_sha256(), nullptr);
    return out;
}

// OpenSSL's reason for the last failure, and the queue cleared for the next call.
std::string openssl_reason() {
    std::string out;
    while (unsigned long code = ERR_get_error()) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        if (!out.empty()) out += "; ";
        out += text;
    }
    return out.empty() ? "unknown OpenSSL error" : out;
}

// A missing or unreadable file, said plainly rather than as OpenSSL's "system library" error.
void check_readable(const std::string& setting, const std::string& path) {
    if (path.empty())
        throw std::runtime_error(setting + " is not set: a TLS listener needs a PEM file");
    if (access(path.c_str(), R_OK) != 0)
        throw std::runtime_error(setting + " " + path + ": " + strerror(errno));
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length,
                const unsigned char* offered, unsigned offered_length, void*) {
    unsigned char* chosen = nullptr;
    if (SSL_select_next_proto(&chosen, out_length, alpn_protocols, sizeof alpn_protocols, offered,
                              offered_length) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;  // RFC 7301: no_application_protocol
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

// Key types that have both a certificate and a key.
int count_key_types(SSL_CTX* c) {
    int types = 0;
    for (long more = SSL_CTX_set_current_cert(c, SSL_CERT_SET_FIRST); more == 1;
         more = SSL_CTX_set_current_cert(c, SSL_CERT_SET_NEXT))
        ++types;
    return types;
}

// Adds a certificate chain and its key. OpenSSL keeps one per key type: a second pair of the
// same type would replace the first, so that is refused.
void use_key_pair(SSL_CTX* c, const tls_key_pair& pair) {
    check_readable("tls_certificate", pair.certificate_file);
    check_readable("tls_certificate_key", pair.key_file);
    const int types_before = count_key_types(c);
    if (SSL_CTX_use_certificate_chain_file(c, pair.certificate_file.c_str()) != 1)
        throw std::runtime_error("tls_certificate " + pair.certificate_file +
                                 ": not a PEM certificate chain: " + openssl_reason());
    if (SSL_CTX_use_PrivateKey_file(c, pair.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
        throw std::runtime_error("tls_certificate_key " + pair.key_file +
                                 ": not a PEM private key, or it does not match tls_certificate " +
                                 pair.certificate_file + ": " + openssl_reason());
    if (count_key_types(c) == types_before)
        throw std::runtime_error("tls_certificate " + pair.certificate_file +
                                 ": a certificate with this key type is already configured for "
                                 "the same site; give one per key type (ECDSA, RSA)");
    if (SSL_CTX_check_private_key(c) != 1)
        throw std::runtime_error("tls_certificate_key " + pair.key_file +
                                 " does not match tls_certificate " + pair.certificate_file + ": " +
                                 openssl_reason());
}

// The handshake completes whatever the client sends: the HTTP layer answers a missing or bad
// certificate with a 400 that says so (as nginx does), rather than an alert a browser shows as
// a bare connection error.
int accept_for_now(int, X509_STORE_CTX*) {
    return 1;
}

void ask_for_client_certificates(SSL_CTX* c, const tls_certificate& certificate) {
    const std::string& ca = certificate.client_ca_file;
    if (ca.empty())
        throw std::runtime_error(
            "tls_verify_client is set but tls_client_certificate is not: name the PEM file of "
            "the CAs client certificates must chain to");
    check_readable("tls_client_certificate", ca);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca.c_str());
    if (!names || SSL_CTX_load_verify_locations(c, ca.c_str(), nullptr) != 1) {
        sk_X509_NAME_pop_free(names, X509_NAME_free);
        throw std::runtime_error("tls_client_certificate " + ca +
                                 ": not a PEM file of CA certificates: " + openssl_reason());
    }
    SSL_CTX_set_client_CA_list(c, names);  // named in the CertificateRequest; takes `names`
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, accept_for_now);
}

}  // namespace

contexts::contexts(const std::vector<tls_certificate>& certificates, const std::string& ciphers,
                   std::shared_ptr<ticket_keys> tickets, bool kernel_tls_send)
    : tickets_(std::move(tickets)),
      session_id_context_(session_id_context_of(certificates)),
      kernel_tls_send_(kernel_tls_send) {
    if (certificates.empty())
        throw std::runtime_error(
            "a listener is marked tls but no certificate is configured: set tls_certificate and "
            "tls_certificate_key");
    for (const tls_certificate& certificate : certificates) {
        contexts_.push_back(make_context(certificate, ciphers));
        verify_.push_back(certificate.verify);
        for (const std::string& name : certificate.server_names)
            names_.add(name, contexts_.size() - 1);
    }
    SSL_CTX_set_tlsext_servername_callback(contexts_.front().get(), on_server_name);
    SSL_CTX_set_tlsext_servername_arg(contexts_.front().get(), this);
}

contexts::ctx_ptr contexts::make_context(const tls_certificate& certificate,
                                         const std::string& ciphers) {
    if (certificate.key_pairs.empty())
        throw std::runtime_error("tls_certificate is not set: a TLS listener needs a PEM file");
    ctx_ptr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) throw std::runtime_error("SSL_CTX_new: " + openssl_reason());
    SSL_CTX* c = ctx.get();
    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION);
    SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    // After each handshake OpenSSL offers the sending side's keys to the BIO: the kernel takes
    // them where it can (ktls_send.hpp), else our own sealer does (record_sealer.hpp), which
    // saves OpenSSL's copies of every byte sent.
    SSL_CTX_set_options(c, SSL_OP_ENABLE_KTLS);
    keep_traffic_secrets(c);
    // Idle connections give their read and write buffers back: ~34 KB each otherwise.
    SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_dh_auto(c, 1);  // the DHE suites of the intermediate list
    const char* list = ciphers == "intermediate" ? mozilla_intermediate_ciphers : ciphers.c_str();
    if (SSL_CTX_set_cipher_list(c, list) != 1)
        throw std::runtime_error("tls_ciphers '" + ciphers +
                                 "': no cipher OpenSSL knows: " + openssl_reason());
    SSL_CTX_set_session_id_context(c, session_id_context_.data(),
                                   unsigned(session_id_context_.size()));
    SSL_CTX_set_alpn_select_cb(c, select_alpn, nullptr);
    stop_full_handshakes_for_the_pool(c);  // for connections that allow it
    auto staples = std::make_unique<ocsp_staples>();
    for (const tls_key_pair& pair : certificate.key_pairs) {
        use_key_pair(c, pair);
        if (!pair.ocsp_response_file.empty())
            staples->add(pair.ocsp_response_file, c, pair.certificate_file);
    }
    if (certificate.verify != verify_client::off) ask_for_client_certificates(c, certificate);
    // Every context, not only the default (the session_ctx whose callback OpenSSL calls): the
    // lifetime the sessions are given is each context's.
    if (tickets_) tickets_->attach(c);
    if (!staples->empty()) {
        staples->attach(c);
        staples_.push_back(std::move(staples));
    }
    return ctx;
}

SSL* contexts::new_connection() const {
    return SSL_new(contexts_.front().get());
}

bool contexts::requires_client_certificate(const SSL* ssl) const {
    const SSL_CTX* site = SSL_get_SSL_CTX(ssl);
    for (size_t i = 0; i < contexts_.size(); ++i)
        if (contexts_[i].get() == site) return verify_[i] == verify_client::on;
    return false;
}

int contexts::on_server_name(SSL* ssl, int*, void* self) {
    const auto& me = *static_cast<const contexts*>(self);
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (!name) return SSL_TLSEXT_ERR_NOACK;  // no SNI: the default certificate answers
    const auto index = me.names_.find(name);
    if (index && *index != 0) {
        SSL_CTX* site = me.contexts_[*index].get();
        SSL_set_SSL_CTX(ssl, site);
        // SSL_set_SSL_CTX takes the certificates, not the verify mode: copied, as nginx does.
        SSL_set_verify(ssl, SSL_CTX_get_verify_mode(site), SSL_CTX_get_verify_callback(site));
    }
    // An unknown name gets the default certificate, as nginx's default server does.
    return SSL_TLSEXT_ERR_OK;
}

}  // namespace ringhttpd::tls
