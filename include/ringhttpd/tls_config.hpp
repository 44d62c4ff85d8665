#pragma once
// TLS settings of a server (config::tls_certificates, config::tls_ciphers): which certificate
// answers which server name. Listeners marked `tls` (listen_address::tls) use them.

#include <string>
#include <vector>

namespace ringhttpd {

// One certificate and its key, both PEM files. The certificate file holds the full chain: the
// server's certificate first, then the intermediates.
struct tls_certificate {
    // The names it answers by SNI: "example.com" or "*.example.com", lowercase.
    std::vector<std::string> server_names;
    std::string certificate_file;
    std::string key_file;
};

// Mozilla's "intermediate" TLS 1.2 cipher list, which config::tls_ciphers = "intermediate"
// (the default) stands for. TLS 1.3 suites are OpenSSL's defaults, the three Mozilla lists.
inline constexpr const char* mozilla_intermediate_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

}  // namespace ringhttpd
