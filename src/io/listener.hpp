#pragma once
// Listening sockets: one SO_REUSEPORT socket per ring, all bound to the same address, so the
// kernel spreads new connections over the rings.

#include <cstdint>
#include <string>
#include <vector>

#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::io {

// Opens `count` listeners on host:port (IPv4 or IPv6 literal, or "localhost"). With port 0 the
// first socket picks a free port and the others join it. Throws std::runtime_error on failure.
std::vector<unique_fd> open_listeners(const std::string& host, uint16_t port, unsigned count,
                                      unsigned backlog);

uint16_t bound_port(int fd);

// Throws, as open_listeners would, when host:port cannot be bound by this server: it is not a
// local address, needs privileges, or another program listens there. Binds and closes without
// listening, so it takes no connection from anyone; a ringhttpd of this user that listens there
// (the one a `-t` before a reload is about) shares the port and passes.
void check_listen_address(const std::string& host, uint16_t port);

}  // namespace ringhttpd::io
