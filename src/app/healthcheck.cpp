#include "app/healthcheck.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "ringhttpd/listen_address.hpp"
#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::app {
namespace {

// The whole check, connect to last byte: a probe that hangs is a failed probe.
constexpr int timeout_ms = 3000;

struct target {
    listen_address address;
    std::string path;
};

// http://HOST[:PORT][/PATH], HOST an IP literal ([v6] in brackets) or localhost.
target parse_url(std::string_view url) {
    constexpr std::string_view scheme = "http://";
    if (!url.starts_with(scheme))
        throw std::invalid_argument("expected a URL like " + std::string(default_healthcheck_url));
    url.remove_prefix(scheme.size());
    const size_t slash = url.find('/');
    std::string authority(url.substr(0, slash));
    const std::string path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    const size_t bracket = authority.rfind(']');
    const size_t colon = authority.rfind(':');
    if (colon == std::string::npos || (bracket != std::string::npos && colon < bracket))
        authority += ":80";
    return {listen_address::parse(authority), path};
}

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return left.count() > 0 ? int(left.count()) : 0;
}

// Waits for `events` on `fd` until the deadline; false when it passes.
bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    pollfd p{fd, events, 0};
    int n;
    while ((n = ::poll(&p, 1, remaining_ms(deadline))) < 0 && errno == EINTR) {
    }
    return n > 0;
}

// The status code of the answer to GET `t`, or throws saying what went wrong.
int status_of(const target& t) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::string host = t.address.host == "localhost" ? "127.0.0.1" : t.address.host;
    if (host.starts_with('[')) host = host.substr(1, host.size() - 2);
    sockaddr_storage addr{};
    socklen_t len;
    int family;
    if (auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
        inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = family = AF_INET;
        v4->sin_port = htons(t.address.port);
        len = sizeof *v4;
    } else {
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
        if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) != 1)
            throw std::runtime_error("not an IP address: " + host);
        v6->sin6_family = family = AF_INET6;
        v6->sin6_port = htons(t.address.port);
        len = sizeof *v6;
    }
    unique_fd fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) throw std::runtime_error(std::string("socket: ") + strerror(errno));
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 && errno != EINPROGRESS)
        throw std::runtime_error(std::string("connect: ") + strerror(errno));
    if (!wait_for(fd.get(), POLLOUT, deadline)) throw std::runtime_error("connect: timed out");
    int err = 0;
    socklen_t err_len = sizeof err;
    getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &err_len);
    if (err) throw std::runtime_error(std::string("connect: ") + strerror(err));
    const std::string request = "GET " + t.path + " HTTP/1.0\r\nHost: " + t.address.text() +
                                "\r\nUser-Agent: ringhttpd-healthcheck\r\n\r\n";
    if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) != ssize_t(request.size()))
        throw std::runtime_error("could not send the request");
    std::string head;
    char buf[512];
    while (head.find("\r\n") == std::string::npos) {
        if (!wait_for(fd.get(), POLLIN, deadline)) throw std::runtime_error("no answer in time");
        const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
        if (n <= 0) throw std::runtime_error("the connection closed without an answer");
        head.append(buf, size_t(n));
    }
    // "HTTP/1.x NNN reason"
    if (!head.starts_with("HTTP/1.") || head.size() < 12 || head[8] != ' ')
        throw std::runtime_error("not an HTTP answer");
    return std::atoi(head.c_str() + 9);
}

}  // namespace

int run_healthcheck(const std::vector<std::string>& args) {
    if (args.size() > 1) {
        std::fprintf(stderr, "usage: ringhttpd healthcheck [URL] (default %s)\n",
                     default_healthcheck_url);
        return 1;
    }
    const std::string url = args.empty() ? default_healthcheck_url : args.front();
    try {
        const int status = status_of(parse_url(url));
        if (status >= 200 && status < 300) return 0;
        std::fprintf(stderr, "ringhttpd healthcheck: %s answered %d\n", url.c_str(), status);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ringhttpd healthcheck: %s: %s\n", url.c_str(), e.what());
    }
    return 1;
}

}  // namespace ringhttpd::app
