#pragma once
// Listening sockets. A TCP address gets one SO_REUSEPORT socket per ring, all bound to it, so the
// kernel spreads new connections over the rings; a unix socket is one socket the rings share.

#include <cstdint>
#include <vector>

#include "ringhttpd/listen_address.hpp"
#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::io {

// Opens the sockets of `address`: `count` for TCP, one for a unix path. With port 0 the first
// socket picks a free port and the others join it. `inherited`: sockets a previous process
// listened on at this address and handed over (an upgrade); they come first and are kept, so
// the connections waiting in their queues are served, and only the missing ones are opened.
// Throws std::runtime_error with the fix when the address cannot be taken.
std::vector<unique_fd> open_listeners(const listen_address& address, unsigned count,
                                      unsigned backlog, std::vector<unique_fd> inherited = {});

uint16_t bound_port(int fd);

// Throws, as open_listeners would, when `address` cannot be listened on by this server: it is
// not a local address, needs privileges, another program listens there, or a unix socket's
// directory is missing. Binds and closes without listening, so it takes no connection from
// anyone; a ringhttpd of this user that listens there (the one a `-t` before a reload is about)
// shares the port and passes.
void check_listen_address(const listen_address& address);

// Removes a unix socket's file once nothing listens on it any more (TCP: nothing to do).
void remove_socket_file(const listen_address& address);

}  // namespace ringhttpd::io
