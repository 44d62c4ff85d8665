#include "io/listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ringhttpd::io {
namespace {

struct socket_address {
    sockaddr_storage storage{};
    socklen_t length = 0;
};

socket_address parse_address(const std::string& host, uint16_t port) {
    socket_address addr;
    std::string name = host == "localhost" ? "127.0.0.1" : host;
    if (name.size() >= 2 && name.front() == '[' && name.back() == ']')
        name = name.substr(1, name.size() - 2);
    auto* v4 = reinterpret_cast<sockaddr_in*>(&addr.storage);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr.storage);
    if (inet_pton(AF_INET, name.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        addr.length = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, name.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        addr.length = sizeof(sockaddr_in6);
    } else {
        throw std::runtime_error("invalid listen address '" + host +
                                 "': use an IPv4 or IPv6 literal, e.g. --listen 0.0.0.0:8080");
    }
    return addr;
}

unique_fd bound_socket(const socket_address& addr, const std::string& where, bool reuse_port) {
    unique_fd fd(socket(addr.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) throw std::runtime_error("socket(): " + std::string(strerror(errno)));
    int one = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuse_port && setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        throw std::runtime_error("SO_REUSEPORT: " + std::string(strerror(errno)));
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr.storage), addr.length) != 0) {
        int err = errno;
        std::string hint = err == EADDRINUSE      ? " (another process listens there: pick another "
                                                    "--listen port or stop it)"
                           : err == EACCES        ? " (ports below 1024 need root or "
                                                    "CAP_NET_BIND_SERVICE)"
                           : err == EADDRNOTAVAIL ? " (no local interface has that address)"
                                                  : "";
        throw std::runtime_error("cannot bind " + where + ": " + strerror(err) + hint);
    }
    return fd;
}

unique_fd open_one(const socket_address& addr, const std::string& where, unsigned backlog) {
    unique_fd fd = bound_socket(addr, where, /*reuse_port=*/true);
    if (listen(fd.get(), int(backlog)) != 0)
        throw std::runtime_error("listen(" + where + "): " + strerror(errno));
    return fd;
}

}  // namespace

uint16_t bound_port(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
    if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

std::vector<unique_fd> open_listeners(const std::string& host, uint16_t port, unsigned count,
                                      unsigned backlog) {
    std::vector<unique_fd> fds;
    socket_address addr = parse_address(host, port);
    const std::string where = host + ":" + std::to_string(port);
    // SO_REUSEPORT would let this server silently share the port with another process of the
    // same user. A plain bind first fails with EADDRINUSE if anyone is listening there.
    if (port != 0) bound_socket(addr, where, /*reuse_port=*/false);
    fds.push_back(open_one(addr, where, backlog));
    if (port == 0) addr = parse_address(host, bound_port(fds.front().get()));
    for (unsigned i = 1; i < count; ++i) fds.push_back(open_one(addr, where, backlog));
    return fds;
}

void check_listen_address(const std::string& host, uint16_t port) {
    bound_socket(parse_address(host, port), host + ":" + std::to_string(port), /*reuse_port=*/true);
}

}  // namespace ringhttpd::io
