#pragma once
// The OCSP responses of one context's certificates (one per key type at most), each read from
// a DER file (`openssl ocsp -respout`, or a responder's answer fetched by cron) and stapled to
// the handshakes whose client asks (status_request) and is served that certificate. Loaded at
// start and by each reload with its context; the files are not watched: a renewed response
// takes effect at the next reload.
//
// Threading: read-only once attached; the callback runs on any ring. Lifetime: must outlive
// the SSL_CTX it is attached to (contexts own both).

#include <openssl/ssl.h>

#include <ctime>
#include <string>
#include <vector>

namespace ringhttpd::tls {

class ocsp_staples {
  public:
    ocsp_staples() = default;
    ocsp_staples(const ocsp_staples&) = delete;
    ocsp_staples& operator=(const ocsp_staples&) = delete;

    // Reads `path` for the certificate of `ctx` that `certificate_file` holds, and checks it: an
    // OCSP response that parses, whose status is successful, and that speaks of this certificate
    // (its serial number, and its issuer when the chain holds it) without calling it revoked.
    // Throws std::runtime_error naming the file otherwise. An expired response loads with a
    // warning.
    void add(const std::string& path, SSL_CTX* ctx, const std::string& certificate_file);
    bool empty() const { return staples_.empty(); }

    // Staples the response of the certificate chosen for a handshake on `ctx`, when it asks.
    void attach(SSL_CTX* ctx) const;

  private:
    struct staple {
        X509* certificate;  // owned by the context
        std::vector<unsigned char> der;
        // Past its nextUpdate a response is no longer stapled: a client that checks would
        // refuse the connection, where one without a staple asks elsewhere. 0: none given.
        std::time_t next_update = 0;
    };
    static int on_status_request(SSL* ssl, void* self);

    std::vector<staple> staples_;
};

}  // namespace ringhttpd::tls
