#pragma once
// Where a server listens: a TCP address (IPv4 or IPv6) and port, or a unix stream socket.

#include <cstdint>
#include <string>
#include <string_view>

namespace ringhttpd {

struct listen_address {
    std::string host = "127.0.0.1";  // IPv4 or IPv6 literal ("::1" or "[::1]"), or "localhost"
    uint16_t port = 8080;            // 0: a free port, chosen at start
    std::string unix_path;           // not empty: a unix socket at this path, host and port unused
    bool tls = false;                // connections speak TLS (config::tls_certificates)

    // "8080" and ":8080" (every IPv4 address, as nginx's `listen 8080`), "HOST:PORT",
    // "[IPv6]:PORT" or "unix:/path", each optionally followed by " tls" (or nginx's " ssl"):
    // "0.0.0.0:8443 tls". Throws std::invalid_argument with the forms it takes.
    static listen_address parse(std::string_view text);

    // The canonical form, which parse() reads back: "0.0.0.0:8080", "[::]:8080",
    // "unix:/run/ringhttpd.sock", "0.0.0.0:8443 tls". Two addresses are the same listener when
    // their texts are.
    std::string text() const;

    bool is_unix() const { return !unix_path.empty(); }
};

}  // namespace ringhttpd
