#pragma once
// sd_notify(3) by hand: a Type=notify systemd unit learns the server's state from datagrams sent
// to the AF_UNIX socket named by $NOTIFY_SOCKET. The protocol is one datagram of newline-
// separated KEY=VALUE assignments, so a few lines replace a libsystemd dependency.
//
// What the server says, and when (docs/deployment.md):
//   READY=1, MAINPID=, STATUS=        every ring serves (at start, and in a process started by a
//                                     binary upgrade, where MAINPID moves the unit to it)
//   RELOADING=1, MONOTONIC_USEC=      a SIGHUP reload starts; READY=1 again once it is applied
//                                     or refused
//   STOPPING=1                        a SIGQUIT drain or a SIGTERM/SIGINT stop starts (never the
//                                     drain after a binary upgrade: the service goes on)

#include <cstdint>
#include <string>
#include <string_view>

namespace ringhttpd::app {

// Sends `state` to the socket $NOTIFY_SOCKET names. Returns false when the variable is unset
// (not started by systemd: nothing to do) or the datagram could not be sent. The variable stays
// set: a process started by a binary upgrade inherits it and notifies the same manager.
bool systemd_notify(std::string_view state);

// Sends `state` to `socket`: a path, or an abstract socket name written with a leading '@'.
// Returns false on an empty or relative name or a failed send (errno says why).
bool systemd_notify_to(const std::string& socket, std::string_view state);

// CLOCK_MONOTONIC in microseconds, for MONOTONIC_USEC= (the reload's start, as systemd reads it).
uint64_t monotonic_usec();

}  // namespace ringhttpd::app
