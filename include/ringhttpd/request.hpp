#pragma once
// The request a handler sees. Built by the HTTP layer on the ring thread; a handler gets it by
// const reference and must not keep references past its return.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ringhttpd/tls_info.hpp"

namespace ringhttpd {

using header_list = std::vector<std::pair<std::string, std::string>>;

// The methods handlers usually branch on; `other` is any further method llhttp knows (PROPFIND,
// MKCOL, ...), told apart by its name.
enum class http_method : uint8_t {
    get,
    head,
    post,
    put,
    delete_,
    options,
    patch,
    trace,
    connect,
    other
};

// "GET" for http_method::get, ...; "" for `other`.
std::string_view method_name(http_method m);
// The method with this name (case-sensitive, as HTTP is): `other` for any name not listed.
http_method method_from_name(std::string_view name);

struct request {
    http_method method = http_method::get;
    std::string_view method_name = "GET";  // the method as received (static text: never freed)
    std::string target;                    // the request target exactly as received ("/a%20b?x=1")
    std::string path;                      // target up to '?', still percent-encoded
    std::string query;                     // after '?', still percent-encoded, without the '?'
    // The target's authority in absolute-form, else the Host header ("" if none): host and
    // optional port, validated, as received.
    std::string host;
    int version_minor = 1;  // HTTP/1.<minor>; a higher minor version than 1 reads as 1
    header_list headers;    // names as received; look up with header()
    std::string body;
    // The client's IP address, IPv6 (IPv4 as ::ffff:a.b.c.d): the connection's peer, or the
    // client a trusted proxy names (real_ip_from). Set before the request is routed.
    std::array<uint8_t, 16> client{};
    // The listen address the connection came in on, as configured and written canonically
    // ("0.0.0.0:8080", "[::]:8443", "unix:/run/ringhttpd.sock"; listen_address::text()).
    // The connection's, so clear() keeps it.
    std::string_view listener;
    // What its TLS connection negotiated; null on a cleartext listener. The connection's too.
    const tls_info* tls = nullptr;
    // Route parameters ({name} segments), percent-decoded, filled by the router.
    std::vector<std::pair<std::string, std::string>> params;

    // First header with this name, compared case-insensitively.
    std::optional<std::string_view> header(std::string_view name) const;
    // Value of a {param} segment of the matched route.
    std::optional<std::string_view> param(std::string_view name) const;
    // First query parameter with this name, percent-decoded ('+' is a space).
    std::optional<std::string> query_param(std::string_view name) const;

    void clear();  // keeps capacity: a connection reuses one request object
};

}  // namespace ringhttpd
