#include "app/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::app {

bool systemd_notify(std::string_view state) {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    return socket && systemd_notify_to(socket, state);
}

bool systemd_notify_to(const std::string& socket, std::string_view state) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    // systemd accepts only absolute paths and abstract names ('@' stands for the leading NUL);
    // anything else is not a socket it made.
    if (socket.size() < 2 || (socket[0] != '/' && socket[0] != '@') ||
        socket.size() >= sizeof address.sun_path) {
        errno = EINVAL;
        return false;
    }
    std::memcpy(address.sun_path, socket.data(), socket.size());
    socklen_t length = socklen_t(offsetof(sockaddr_un, sun_path) + socket.size());
    if (socket[0] == '@')
        address.sun_path[0] = '\0';  // abstract: the length, not a NUL, ends the name
    else
        ++length;  // a path: count its terminating NUL, as sd_notify does
    unique_fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd) return false;
    const ssize_t sent = ::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr*>(&address), length);
    return sent == ssize_t(state.size());
}

uint64_t monotonic_usec() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return uint64_t(now.tv_sec) * 1'000'000 + uint64_t(now.tv_nsec) / 1'000;
}

}  // namespace ringhttpd::app
