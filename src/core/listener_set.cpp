#include "core/listener_set.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "io/listener.hpp"

namespace ringhttpd::core {
namespace {

// The sockets of one address, as each ring gets them: every ring its own socket of a TCP
// address's SO_REUSEPORT group (and the surplus of a larger inherited group spread over them),
// every ring a duplicate of a unix socket.
std::vector<std::vector<unique_fd>> spread_over_rings(std::vector<unique_fd> sockets,
                                                      unsigned rings, bool shared) {
    std::vector<std::vector<unique_fd>> out(rings);
    if (shared) {
        for (unsigned i = 1; i < rings; ++i) {
            unique_fd copy(::fcntl(sockets.front().get(), F_DUPFD_CLOEXEC, 0));
            if (!copy) throw std::runtime_error("dup: " + std::string(strerror(errno)));
            out[i].push_back(std::move(copy));
        }
        out[0].push_back(std::move(sockets.front()));
        return out;
    }
    for (size_t j = 0; j < sockets.size(); ++j) out[j % rings].push_back(std::move(sockets[j]));
    return out;
}

}  // namespace

void listener_set::inherit(const std::string& address, std::vector<unique_fd> sockets) {
    auto& kept = inherited_[address];
    for (unique_fd& fd : sockets) kept.push_back(std::move(fd));
}

std::vector<std::vector<io::listener>> listener_set::open_new(
    const std::vector<listen_address>& addresses, unsigned rings, unsigned backlog) {
    std::vector<std::vector<io::listener>> out(rings);
    std::vector<std::string> opened;
    try {
        for (const listen_address& address : addresses) {
            const std::string text = address.text();
            if (open_.contains(text)) continue;  // open already, or listed twice
            auto per_ring = open_one(address, rings, backlog);
            opened.push_back(text);
            for (unsigned i = 0; i < rings; ++i)
                for (io::listener& l : per_ring[i]) out[i].push_back(std::move(l));
        }
    } catch (...) {
        // The sockets opened so far close with `out`; nothing was handed to a ring.
        for (const std::string& text : opened) forget(open_.find(text));
        throw;
    }
    return out;
}

std::vector<std::vector<io::listener>> listener_set::open_one(const listen_address& address,
                                                              unsigned rings, unsigned backlog) {
    const std::string text = address.text();
    std::vector<unique_fd> handed_over;
    if (auto it = inherited_.find(text); it != inherited_.end()) {
        handed_over = std::move(it->second);
        inherited_.erase(it);
    }
    auto sockets = io::open_listeners(address, rings, backlog, std::move(handed_over));
    if (first_tcp_port_ == 0 && !address.is_unix())
        first_tcp_port_ = io::bound_port(sockets.front().get());
    auto per_ring = spread_over_rings(std::move(sockets), rings, address.is_unix());
    const std::string_view name = name_of(text);
    std::vector<std::vector<io::listener>> out(rings);
    std::vector<int> fds;
    for (unsigned i = 0; i < rings; ++i)
        for (unique_fd& fd : per_ring[i]) {
            fds.push_back(fd.get());
            out[i].push_back({std::move(fd), name, nullptr});
        }
    open_[text] = {address, std::move(fds)};
    return out;
}

std::vector<std::string_view> listener_set::remove_all_but(
    const std::vector<listen_address>& keep) {
    std::vector<std::string_view> removed;
    for (auto it = open_.begin(); it != open_.end();) {
        const auto next = std::next(it);
        const bool kept = std::any_of(keep.begin(), keep.end(), [&](const listen_address& a) {
            return a.text() == it->first;
        });
        if (!kept) {
            removed.push_back(name_of(it->first));
            forget(it);
        }
        it = next;
    }
    return removed;
}

void listener_set::remove_all() {
    while (!open_.empty()) forget(open_.begin());
}

void listener_set::forget(std::map<std::string, open_address>::iterator it) {
    if (!keep_socket_files_) io::remove_socket_file(it->second.address);
    open_.erase(it);
}

std::vector<std::pair<std::string, std::vector<int>>> listener_set::sockets() const {
    std::vector<std::pair<std::string, std::vector<int>>> out;
    for (const auto& [text, entry] : open_) out.emplace_back(text, entry.fds);
    return out;
}

uint16_t listener_set::bound_port(const listen_address& address) const {
    if (address.is_unix() || address.port != 0) return address.port;
    return io::bound_port(open_.at(address.text()).fds.front());
}

std::string_view listener_set::name_of(const std::string& text) {
    for (const std::string& name : names_)
        if (name == text) return name;
    return names_.emplace_back(text);
}

}  // namespace ringhttpd::core
