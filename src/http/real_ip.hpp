#pragma once
// The client behind a trusted proxy (nginx's real_ip_from / real_ip_header): when the peer is a
// trusted address, the client is taken from X-Forwarded-For (the rightmost address that is not
// trusted itself) or X-Real-IP; from any other peer those headers are ignored.

#include <optional>
#include <string_view>
#include <vector>

#include "io/client_address.hpp"
#include "ringhttpd/request.hpp"

namespace ringhttpd::http {

// "10.0.0.0/8", "2001:db8::/32", or one address ("192.0.2.7": all its bits).
struct address_range {
    io::client_address base;
    unsigned prefix_bits = 128;  // of the IPv6 (or IPv4-mapped) form

    bool contains(const io::client_address& a) const;
    static std::optional<address_range> parse(std::string_view text);
};

enum class real_ip_header { x_forwarded_for, x_real_ip };

struct real_ip_rule {
    std::vector<address_range> trusted;  // empty: the peer is always the client
    real_ip_header header = real_ip_header::x_forwarded_for;

    // The client `req` speaks for, arriving from `peer`.
    io::client_address client_of(const io::client_address& peer, const request& req) const;

    // Whether `a` is one of the trusted proxies.
    bool is_trusted(const io::client_address& a) const;
};

}  // namespace ringhttpd::http
