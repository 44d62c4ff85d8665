#include "io/listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ringhttpd::io {
namespace {

struct socket_address {
    sockaddr_storage storage{};
    socklen_t length = 0;
};

socket_address tcp_address(const listen_address& address) {
    socket_address addr;
    const std::string name = address.host == "localhost" ? "127.0.0.1" : address.host;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&addr.storage);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr.storage);
    if (inet_pton(AF_INET, name.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(address.port);
        addr.length = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, name.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(address.port);
        addr.length = sizeof(sockaddr_in6);
    } else {
        throw std::runtime_error("invalid listen address '" + address.text() +
                                 "': use an IPv4 or IPv6 literal, e.g. --listen 0.0.0.0:8080");
    }
    return addr;
}

socket_address unix_address(const listen_address& address) {
    socket_address addr;
    auto* un = reinterpret_cast<sockaddr_un*>(&addr.storage);
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, address.unix_path.c_str(), address.unix_path.size() + 1);
    addr.length = socklen_t(offsetof(sockaddr_un, sun_path) + address.unix_path.size() + 1);
    return addr;
}

std::string bind_hint(int err) {
    switch (err) {
        case EADDRINUSE:
            return " (another process listens there: pick another --listen address or stop it)";
        case EACCES:
            return " (ports below 1024 need root or CAP_NET_BIND_SERVICE; a unix socket needs a "
                   "directory this user may write)";
        case EADDRNOTAVAIL:
            return " (no local interface has that address)";
        case ENOENT:
            return " (the unix socket's directory does not exist: create it first)";
        default:
            return "";
    }
}

// How many unsent bytes a socket may hold (TCP_NOTSENT_LOWAT): a send or sendfile stops there,
// and POLLOUT waits until the queue drains below it. Without the limit one sendfile call
// queued a whole 1 MB answer, and where the kernel paces TCP (BBR does; it is this machine's
// default and common on servers), the queue then left one 64 KB segment per pacing timer,
// often sent from the client's core as its ACKs arrived: with a client that reads fast
// (perf/bulkget, 64 connections), 2,500 1 MB responses/s against lighttpd's 8,500. With 16 KB
// queued at most, the data leaves from the ring's own sendfile calls at the rate the connection
// takes it: 11,000/s, and 64 KB files 78,000/s instead of 76,000 (lighttpd 65,000). It also keeps
// the kernel memory of a slow download small. Responses held in memory go out whole all the
// same: io_uring's send waits for room.
constexpr int unsent_bytes_limit = 16 * 1024;

// Options every connection needs, set on the listening socket: Linux copies a listener's options
// into each socket accept() returns, which saves two setsockopt calls per connection (the
// accept -> answer -> close path of short-lived clients counts its system calls). Set on sockets
// inherited from an older process too, which may not have done so.
void set_connection_defaults(int fd) {
    // Responses go out whole, one send each: Nagle would only delay the tail of pipelined ones.
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &unsent_bytes_limit, sizeof unsent_bytes_limit);
}

unique_fd new_socket(int family) {
    unique_fd fd(socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) throw std::runtime_error("socket(): " + std::string(strerror(errno)));
    return fd;
}

void bind_to(int fd, const socket_address& addr, const listen_address& address) {
    if (bind(fd, reinterpret_cast<const sockaddr*>(&addr.storage), addr.length) != 0) {
        const int err = errno;
        throw std::runtime_error("cannot bind " + address.text() + ": " + strerror(err) +
                                 bind_hint(err));
    }
}

unique_fd bound_tcp_socket(const socket_address& addr, const listen_address& address,
                           bool reuse_port) {
    unique_fd fd = new_socket(addr.storage.ss_family);
    int one = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuse_port && setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        throw std::runtime_error("SO_REUSEPORT: " + std::string(strerror(errno)));
    // [::]:8080 takes IPv6 only, so 0.0.0.0:8080 can be listened on beside it (nginx's
    // ipv6only=on default).
    if (addr.storage.ss_family == AF_INET6)
        setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    bind_to(fd.get(), addr, address);
    return fd;
}

void start_listening(int fd, const listen_address& address, unsigned backlog) {
    if (listen(fd, int(backlog)) != 0)
        throw std::runtime_error("listen(" + address.text() + "): " + strerror(errno));
}

// Whether a server accepts connections on the unix socket at `addr`.
bool someone_listens(const socket_address& addr) {
    unique_fd probe = new_socket(AF_UNIX);
    return connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr.storage), addr.length) == 0;
}

// A socket file left by a server that is gone is removed, as Caddy and systemd do; a live one,
// or a file that is not a socket, is an error.
void clear_stale_socket_file(const listen_address& address, const socket_address& addr) {
    struct stat st {};
    if (lstat(address.unix_path.c_str(), &st) != 0) return;
    if (!S_ISSOCK(st.st_mode))
        throw std::runtime_error("cannot listen on " + address.text() +
                                 ": the path exists and is not a socket; remove it or pick "
                                 "another path");
    if (someone_listens(addr))
        throw std::runtime_error("cannot listen on " + address.text() +
                                 ": another process listens there; stop it or pick another path");
    ::unlink(address.unix_path.c_str());
}

unique_fd open_unix(const listen_address& address, unsigned backlog) {
    const socket_address addr = unix_address(address);
    clear_stale_socket_file(address, addr);
    unique_fd fd = new_socket(AF_UNIX);
    bind_to(fd.get(), addr, address);
    start_listening(fd.get(), address, backlog);
    return fd;
}

void open_tcp(const listen_address& address, unsigned count, unsigned backlog,
              std::vector<unique_fd>& fds) {
    socket_address addr = tcp_address(address);
    if (fds.empty()) {
        // SO_REUSEPORT would let this server silently share the port with another process of
        // the same user. A plain bind first fails with EADDRINUSE if anyone is listening there.
        if (address.port != 0) bound_tcp_socket(addr, address, /*reuse_port=*/false);
        fds.push_back(bound_tcp_socket(addr, address, /*reuse_port=*/true));
        start_listening(fds.back().get(), address, backlog);
    }
    if (address.port == 0) {
        listen_address chosen = address;
        chosen.port = bound_port(fds.front().get());
        addr = tcp_address(chosen);
    }
    while (fds.size() < count) {
        fds.push_back(bound_tcp_socket(addr, address, /*reuse_port=*/true));
        start_listening(fds.back().get(), address, backlog);
    }
    for (const unique_fd& fd : fds) set_connection_defaults(fd.get());
}

}  // namespace

uint16_t bound_port(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
    if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    return 0;
}

std::vector<unique_fd> open_listeners(const listen_address& address, unsigned count,
                                      unsigned backlog, std::vector<unique_fd> inherited) {
    if (!address.is_unix()) {
        open_tcp(address, count, backlog, inherited);
        return inherited;
    }
    if (inherited.empty()) inherited.push_back(open_unix(address, backlog));
    inherited.resize(1);  // one socket serves every ring
    return inherited;
}

void check_listen_address(const listen_address& address) {
    if (!address.is_unix()) {
        bound_tcp_socket(tcp_address(address), address, /*reuse_port=*/true);
        return;
    }
    const std::string& path = address.unix_path;
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "."
                            : slash == 0               ? "/"
                                                       : path.substr(0, slash);
    if (::access(dir.c_str(), W_OK) != 0) {
        const int err = errno;
        throw std::runtime_error("cannot listen on " + address.text() + ": directory " + dir +
                                 ": " + strerror(err) + bind_hint(err));
    }
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode))
        throw std::runtime_error("cannot listen on " + address.text() +
                                 ": the path exists and is not a socket; remove it or pick "
                                 "another path");
}

void remove_socket_file(const listen_address& address) {
    if (address.is_unix()) ::unlink(address.unix_path.c_str());
}

}  // namespace ringhttpd::io
