#pragma once
// A client's IP address, compact (IPv4 as IPv4-mapped IPv6), for per-client limits and logs.

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ringhttpd::io {

struct client_address {
    std::array<uint8_t, 16> bytes{};  // IPv6, or ::ffff:a.b.c.d for IPv4

    bool operator==(const client_address&) const = default;
    std::string to_string() const;
    // The peer of a connected socket; all zero when it cannot be read.
    static client_address of_peer(int fd);
    static client_address from_sockaddr(const sockaddr* sa);
    // "192.0.2.7" or "2001:db8::7"; nullopt for anything else.
    static std::optional<client_address> parse(std::string_view text);
};

struct client_address_hash {
    size_t operator()(const client_address& a) const {
        uint64_t hi, lo;
        std::memcpy(&hi, a.bytes.data(), 8);
        std::memcpy(&lo, a.bytes.data() + 8, 8);
        return std::hash<uint64_t>{}(hi * 0x9E3779B97F4A7C15ull ^ lo);
    }
};

}  // namespace ringhttpd::io
