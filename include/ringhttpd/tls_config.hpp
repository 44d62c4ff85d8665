#pragma once
// TLS settings of a server (config::tls_certificates, config::tls_ciphers): which certificate
// answers which server name. Listeners marked `tls` (listen_address::tls) use them.

#include <cstdint>
#include <string>
#include <vector>

namespace ringhttpd {

// A certificate and its key, both PEM files. The certificate file holds the full chain: the
// server's certificate first, then the intermediates.
struct tls_key_pair {
    std::string certificate_file;
    std::string key_file;
    // A DER OCSP response for the certificate, stapled when a client asks; empty: none.
    std::string ocsp_response_file;
};

// Whether a site asks clients for a certificate (nginx ssl_verify_client).
enum class verify_client : uint8_t {
    off,       // none is asked for
    optional,  // asked for; a client without one, or with one that fails, is still served
    on,        // required: a request without a valid one gets 400, as nginx answers it
};

// Whether the kernel encrypts what TLS connections send (kTLS: the `tls` module), once OpenSSL
// has made the keys.
enum class kernel_tls_mode : uint8_t {
    automatic,  // where the kernel takes the keys (asked at start); user space elsewhere
    on,         // required: a kernel without it stops the start
    off,        // every byte is encrypted in user space
};

// What a site (or the default site) presents by TLS.
struct tls_certificate {
    // The names it answers by SNI: "example.com" or "*.example.com", lowercase.
    std::vector<std::string> server_names;
    // One pair per key type, served side by side: with an ECDSA and an RSA pair, each client
    // gets the one it supports (OpenSSL chooses by its signature algorithms). At least one.
    std::vector<tls_key_pair> key_pairs;
    // PEM file of the CAs a client certificate must chain to (nginx ssl_client_certificate);
    // needed unless `verify` is off.
    std::string client_ca_file;
    verify_client verify = verify_client::off;
};

// Mozilla's "intermediate" TLS 1.2 cipher list, which config::tls_ciphers = "intermediate"
// (the default) stands for. TLS 1.3 suites are OpenSSL's defaults, the three Mozilla lists.
inline constexpr const char* mozilla_intermediate_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

}  // namespace ringhttpd
