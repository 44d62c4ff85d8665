#include "tls/ocsp_staples.hpp"

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

namespace ringhttpd::tls {
namespace {

template <typename T, auto Free>
struct freer {
    void operator()(T* p) const { Free(p); }
};
using response_ptr = std::unique_ptr<OCSP_RESPONSE, freer<OCSP_RESPONSE, OCSP_RESPONSE_free>>;
using basic_ptr = std::unique_ptr<OCSP_BASICRESP, freer<OCSP_BASICRESP, OCSP_BASICRESP_free>>;
using certid_ptr = std::unique_ptr<OCSP_CERTID, freer<OCSP_CERTID, OCSP_CERTID_free>>;

// The certificate that signed `leaf`, when the chain configured with it holds it.
X509* issuer_in_chain(SSL_CTX* ctx, X509* leaf) {
    STACK_OF(X509)* chain = nullptr;
    if (SSL_CTX_get0_chain_certs(ctx, &chain) != 1 || chain == nullptr) return nullptr;
    for (int i = 0; i < sk_X509_num(chain); ++i)
        if (X509_check_issued(sk_X509_value(chain, i), leaf) == X509_V_OK)
            return sk_X509_value(chain, i);
    return nullptr;
}

// Whether `id` names `leaf`: the serial number always, the issuer's name and key hashes when
// the issuer is at hand (hashed as the response hashed them).
bool names_certificate(OCSP_CERTID* id, X509* leaf, X509* issuer) {
    ASN1_OBJECT* hash = nullptr;
    ASN1_INTEGER* serial = nullptr;
    if (OCSP_id_get0_info(nullptr, &hash, nullptr, &serial, id) != 1) return false;
    if (ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(leaf)) != 0) return false;
    if (issuer == nullptr) return true;
    const EVP_MD* md = EVP_get_digestbyobj(hash);
    if (md == nullptr) return true;  // a hash we cannot redo: the serial number has to do
    certid_ptr ours(OCSP_cert_to_id(md, leaf, issuer));
    return ours && OCSP_id_cmp(ours.get(), id) == 0;
}

// The context's certificate that `certificate_file` starts with, made the context's current
// one (so its chain is the current chain); null if none. The context holds one per key type.
X509* select_certificate(SSL_CTX* ctx, const std::string& certificate_file) {
    std::unique_ptr<BIO, freer<BIO, BIO_free_all>> in(BIO_new_file(certificate_file.c_str(), "r"));
    std::unique_ptr<X509, freer<X509, X509_free>> leaf(
        in ? PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr) : nullptr);
    ERR_clear_error();
    if (!leaf) return nullptr;
    for (long more = SSL_CTX_set_current_cert(ctx, SSL_CERT_SET_FIRST); more == 1;
         more = SSL_CTX_set_current_cert(ctx, SSL_CERT_SET_NEXT))
        if (X509_cmp(SSL_CTX_get0_certificate(ctx), leaf.get()) == 0)
            return SSL_CTX_get0_certificate(ctx);
    return nullptr;
}

std::time_t to_time(const ASN1_GENERALIZEDTIME* t) {
    std::tm tm{};
    return t != nullptr && ASN1_TIME_to_tm(t, &tm) == 1 ? timegm(&tm) : 0;
}

}  // namespace

void ocsp_staples::add(const std::string& path, SSL_CTX* ctx, const std::string& certificate_file) {
    const std::string setting = "tls_ocsp_response " + path;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(setting + ": " + std::strerror(errno));
    staple made{select_certificate(ctx, certificate_file), {}, 0};
    made.der.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    const unsigned char* p = made.der.data();
    response_ptr response(d2i_OCSP_RESPONSE(nullptr, &p, long(made.der.size())));
    ERR_clear_error();
    if (!response || p != made.der.data() + made.der.size())
        throw std::runtime_error(setting +
                                 ": not a DER OCSP response (as `openssl ocsp -respout` writes)");
    const int status = OCSP_response_status(response.get());
    if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
        throw std::runtime_error(setting + ": the responder's answer is '" +
                                 OCSP_response_status_str(status) + "', not a status to staple");
    basic_ptr basic(OCSP_response_get1_basic(response.get()));
    if (!basic) throw std::runtime_error(setting + ": no basic OCSP response in it");
    X509* leaf = made.certificate;
    X509* issuer = leaf ? issuer_in_chain(ctx, leaf) : nullptr;
    for (int i = 0; leaf != nullptr && i < OCSP_resp_count(basic.get()); ++i) {
        OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), i);
        if (!names_certificate(const_cast<OCSP_CERTID*>(OCSP_SINGLERESP_get0_id(single)), leaf,
                               issuer))
            continue;
        int reason = 0;
        ASN1_GENERALIZEDTIME *revoked = nullptr, *this_update = nullptr, *next_update = nullptr;
        const int cert_status =
            OCSP_single_get0_status(single, &reason, &revoked, &this_update, &next_update);
        if (cert_status == V_OCSP_CERTSTATUS_REVOKED)
            throw std::runtime_error(setting + ": says the certificate is revoked");
        made.next_update = to_time(next_update);
        if (made.next_update != 0 && made.next_update < std::time(nullptr))
            spdlog::warn(
                "{}: expired (nextUpdate passed); it is not stapled until a fresh one "
                "is loaded by a reload",
                setting);
        staples_.push_back(std::move(made));
        return;
    }
    throw std::runtime_error(setting + ": not a response for the certificate it goes with");
}

void ocsp_staples::attach(SSL_CTX* ctx) const {
    SSL_CTX_set_tlsext_status_cb(ctx, on_status_request);
    SSL_CTX_set_tlsext_status_arg(ctx, const_cast<ocsp_staples*>(this));
}

// Called by OpenSSL on the context the connection ends up on (after SNI), only for clients
// that sent status_request, once it has chosen the certificate (ECDSA or RSA) that
// SSL_get_certificate then returns.
int ocsp_staples::on_status_request(SSL* ssl, void* self) {
    const auto& me = *static_cast<const ocsp_staples*>(self);
    X509* chosen = SSL_get_certificate(ssl);
    for (const staple& s : me.staples_) {
        if (chosen == nullptr || X509_cmp(s.certificate, chosen) != 0) continue;
        if (s.next_update != 0 && s.next_update < std::time(nullptr)) break;
        // OpenSSL takes the copy and frees it with the connection.
        auto* copy = static_cast<unsigned char*>(OPENSSL_malloc(s.der.size()));
        if (copy == nullptr) break;
        std::memcpy(copy, s.der.data(), s.der.size());
        if (SSL_set_tlsext_status_ocsp_resp(ssl, copy, long(s.der.size())) != 1) {
            OPENSSL_free(copy);
            break;
        }
        return SSL_TLSEXT_ERR_OK;
    }
    return SSL_TLSEXT_ERR_NOACK;  // the handshake goes on without a staple
}

}  // namespace ringhttpd::tls
