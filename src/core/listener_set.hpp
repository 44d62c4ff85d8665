#pragma once
// The addresses a server listens on and their sockets: opened for every ring (or taken over
// from the process before an upgrade), changed by reloads, handed to the next process. The
// reactors own the sockets; this keeps their descriptors by address, and the address names
// connections carry.

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/acceptors.hpp"
#include "ringhttpd/listen_address.hpp"
#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::core {

class listener_set {
  public:
    // Sockets a previous process listened on at `address` (its text()), for open_new to take.
    void inherit(const std::string& address, std::vector<unique_fd> sockets);
    // Opens every address of `addresses` not open yet, for `rings` rings (`backlog`: listen's),
    // and returns each ring's new listeners. All or nothing: when one cannot be opened, those
    // opened by this call are closed again and the error is thrown.
    std::vector<std::vector<io::listener>> open_new(const std::vector<listen_address>& addresses,
                                                    unsigned rings, unsigned backlog);
    // Closes what was inherited and no address took.
    void drop_inherited() { inherited_.clear(); }
    // Forgets every address not in `keep` and returns their names, for the rings to close.
    std::vector<std::string_view> remove_all_but(const std::vector<listen_address>& keep);
    // Forgets every address (the rings have closed their sockets).
    void remove_all();

    // The descriptors by address, for a process that takes over.
    std::vector<std::pair<std::string, std::vector<int>>> sockets() const;
    // From now on, the unix socket files are another process's: never removed.
    void keep_socket_files() { keep_socket_files_ = true; }
    uint16_t first_tcp_port() const { return first_tcp_port_; }
    // The port `address` is bound to (its own, unless it asked for port 0).
    uint16_t bound_port(const listen_address& address) const;

  private:
    struct open_address {
        listen_address address;
        std::vector<int> fds;  // owned by the reactors
    };

    std::vector<std::vector<io::listener>> open_one(const listen_address& address, unsigned rings,
                                                    unsigned backlog);
    std::string_view name_of(const std::string& text);
    void forget(std::map<std::string, open_address>::iterator it);

    std::map<std::string, open_address> open_;
    // Every address name a connection may carry: only ever added to, so a name stays valid
    // for every connection, whenever its listener was closed.
    std::deque<std::string> names_;
    std::map<std::string, std::vector<unique_fd>> inherited_;
    uint16_t first_tcp_port_ = 0;
    bool keep_socket_files_ = false;
};

}  // namespace ringhttpd::core
