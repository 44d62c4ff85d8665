#include "io/listener.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

using namespace ringhttpd;

namespace {

int tcp_option(int fd, int name) {
    int value = 0;
    socklen_t length = sizeof value;
    EXPECT_EQ(getsockopt(fd, IPPROTO_TCP, name, &value, &length), 0);
    return value;
}

unique_fd connect_to(uint16_t port) {
    unique_fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    return fd;
}

}  // namespace

// The reactor sets nothing on an accepted socket: TCP_NODELAY and TCP_NOTSENT_LOWAT must come
// from the listener, which the kernel copies into every connection it accepts.
TEST(listener, accepted_sockets_inherit_nodelay_and_the_unsent_bytes_limit) {
    std::vector<unique_fd> sockets =
        io::open_listeners(listen_address::parse("127.0.0.1:0"), 2, 16);
    ASSERT_EQ(sockets.size(), 2u);
    const uint16_t port = io::bound_port(sockets.front().get());
    std::vector<unique_fd> clients;
    for (int i = 0; i < 8; ++i) clients.push_back(connect_to(port));  // SO_REUSEPORT spreads them
    int accepted = 0;
    for (const unique_fd& listener : sockets) {
        pollfd ready{listener.get(), POLLIN, 0};
        while (poll(&ready, 1, 0) == 1) {  // the handshakes are done: connect() returned
            unique_fd conn(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
            ASSERT_TRUE(conn);
            ++accepted;
            EXPECT_EQ(tcp_option(conn.get(), TCP_NODELAY), 1);
            EXPECT_EQ(tcp_option(conn.get(), TCP_NOTSENT_LOWAT), 16 * 1024);
        }
    }
    EXPECT_EQ(accepted, 8);
}
