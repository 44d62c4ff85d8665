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

}  // namespace ringhttpd::io
