#pragma once
// Binary upgrade without a refused connection or a failed request, driven by SIGUSR2 as in
// nginx, but in one step:
//
//   1. The running process starts the binary at the path it was itself started from (a package
//      upgrade has replaced it there), with the same arguments, and hands it every listening
//      socket: the descriptors are inherited across exec, and RINGHTTPD_LISTEN_FDS says which
//      address each belongs to.
//   2. The new process reads its configuration, serves on those same sockets (the same kernel
//      accept queues, so no connection waiting in them is lost) and says so on a pipe.
//   3. The old process then drains: it stops accepting, answers what it has, and exits 0.
//
// If the new process fails to start (a bad configuration, a broken binary), it exits, the old
// one logs why it gave up and keeps serving as if nothing had happened.

#include <string>
#include <vector>

#include "ringhttpd/server.hpp"

namespace ringhttpd::app {

// The running binary's path (/proc/self/exe), read at start, before anything replaces it.
std::string own_executable();

// In a new process started by an upgrade: gives `srv` the sockets the old one handed over.
// Does nothing in a process started any other way.
void take_handed_over_listeners(server& srv);
// In a new process started by an upgrade, once it serves: tells the old one to drain, and
// asks for old_process_gone_signal() once it has exited (then call server::rearm_accepts).
void tell_old_process_we_serve();
// The signal for that: a real-time one, which nothing else sends.
int old_process_gone_signal();

// In the running process, on SIGUSR2: starts `executable` with `args` and the sockets of
// `srv`, and waits (up to `timeout_ms`) until it serves. True: the caller drains and exits;
// false: the upgrade failed (logged) and the caller keeps serving.
bool hand_over_to_new_binary(server& srv, const std::string& executable,
                             const std::vector<std::string>& args, unsigned timeout_ms);

}  // namespace ringhttpd::app
