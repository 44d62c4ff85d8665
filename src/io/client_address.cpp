#include "io/client_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace ringhttpd::io {

client_address client_address::from_sockaddr(const sockaddr* sa) {
    client_address a;
    if (sa->sa_family == AF_INET6) {
        std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, 16);
    } else if (sa->sa_family == AF_INET) {
        a.bytes[10] = a.bytes[11] = 0xff;
        std::memcpy(a.bytes.data() + 12, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
    }
    return a;
}

client_address client_address::of_peer(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
    return from_sockaddr(reinterpret_cast<const sockaddr*>(&ss));
}

std::optional<client_address> client_address::parse(std::string_view text) {
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    const std::string z(text);  // inet_pton wants a terminated string
    client_address a;
    if (in_addr v4{}; inet_pton(AF_INET, z.c_str(), &v4) == 1) {
        a.bytes[10] = a.bytes[11] = 0xff;
        std::memcpy(a.bytes.data() + 12, &v4, 4);
        return a;
    }
    if (in6_addr v6{}; inet_pton(AF_INET6, z.c_str(), &v6) == 1) {
        std::memcpy(a.bytes.data(), &v6, 16);
        return a;
    }
    return std::nullopt;
}

std::string client_address::to_string() const {
    char text[INET6_ADDRSTRLEN] = "";
    static constexpr uint8_t v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(bytes.data(), v4_prefix, 12) == 0) {
        inet_ntop(AF_INET, bytes.data() + 12, text, sizeof text);
    } else {
        inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
    }
    return text;
}

}  // namespace ringhttpd::io
