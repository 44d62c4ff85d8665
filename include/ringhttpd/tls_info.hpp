#pragma once
// What a TLS connection negotiated, for handlers (request::tls) and the access log: the names
// nginx's $ssl_protocol, $ssl_cipher, $ssl_session_reused, $ssl_server_name, $ssl_client_verify
// and $ssl_client_s_dn give.

#include <cstdint>
#include <string>
#include <string_view>

namespace ringhttpd {

// The client certificate check of a site with tls_verify_client (nginx $ssl_client_verify).
enum class client_verify : uint8_t {
    none,     // no certificate was asked for, or none was sent
    success,  // sent, and it chains to tls_client_certificate
    failed,   // sent, and it does not
};
std::string_view client_verify_name(client_verify v);  // "NONE", "SUCCESS", "FAILED"

struct tls_info {
    std::string_view protocol;     // "TLSv1.3", "TLSv1.2"
    std::string_view cipher;       // OpenSSL's name: "TLS_AES_128_GCM_SHA256"
    std::string_view server_name;  // what the client asked for by SNI; "" for none
    bool session_reused = false;   // resumed from a ticket or a session ID
    client_verify client = client_verify::none;
    // The verified client certificate's subject, RFC 2253 ("CN=alice,O=Example"); "" unless
    // `client` is success.
    std::string client_subject;
};

}  // namespace ringhttpd
