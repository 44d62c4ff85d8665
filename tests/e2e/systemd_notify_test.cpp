// Type=notify: the real binary, started with $NOTIFY_SOCKET naming a socket this test owns (as
// systemd's manager owns its own), says READY=1 once it serves, RELOADING=1 then READY=1 around
// a SIGHUP reload (applied or refused), STOPPING=1 when a drain or a stop starts, and after a
// binary upgrade MAINPID= from the new process, without the old one ever saying STOPPING=1.

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <map>
#include <optional>
#include <sstream>

#include "harness.hpp"

using namespace e2e;
using namespace std::chrono_literals;

namespace {

uint64_t monotonic_usec() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return uint64_t(now.tv_sec) * 1'000'000 + uint64_t(now.tv_nsec) / 1'000;
}

struct notification {
    std::map<std::string, std::string> fields;  // KEY=VALUE, one per line
    pid_t sender = 0;                           // from the kernel, as systemd reads it
    bool has(const std::string& key, const std::string& value) const {
        auto it = fields.find(key);
        return it != fields.end() && it->second == value;
    }
    std::string get(const std::string& key) const {
        auto it = fields.find(key);
        return it == fields.end() ? "" : it->second;
    }
};

std::ostream& operator<<(std::ostream& out, const notification& n) {
    out << "from " << n.sender << ":";
    for (const auto& [k, v] : n.fields) out << " " << k << "=" << v;
    return out;
}

// An abstract datagram socket named in $NOTIFY_SOCKET while it lives, so the server started
// meanwhile (and any process it starts) notifies it.
class notify_socket {
  public:
    notify_socket() {
        const std::string name =
            "ringhttpd-e2e-notify-" + std::to_string(getpid()) + "-" + std::to_string(++count_);
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path + 1, name.data(), name.size());  // sun_path[0] = 0: abstract
        const auto length = socklen_t(offsetof(sockaddr_un, sun_path) + 1 + name.size());
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0)
            throw std::runtime_error(std::string("bind: ") + strerror(errno));
        const int on = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
        ::setenv("NOTIFY_SOCKET", ("@" + name).c_str(), 1);
    }
    ~notify_socket() {
        ::unsetenv("NOTIFY_SOCKET");
        ::close(fd_);
    }

    // The next notification, or nullopt if none comes within `timeout`.
    std::optional<notification> receive(std::chrono::milliseconds timeout = patience) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, int(timeout.count())) != 1) return std::nullopt;
        char buf[4096];
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
        iovec iov{buf, sizeof buf};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(fd_, &msg, 0);
        if (n < 0) return std::nullopt;
        notification out;
        std::istringstream lines(std::string(buf, size_t(n)));
        for (std::string line; std::getline(lines, line);) {
            const size_t eq = line.find('=');
            if (eq != std::string::npos) out.fields[line.substr(0, eq)] = line.substr(eq + 1);
        }
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
                out.sender = reinterpret_cast<ucred*>(CMSG_DATA(c))->pid;
        return out;
    }

  private:
    static inline int count_ = 0;
    int fd_ = -1;
};

bool logged(const server_process& server, const std::string& text) {
    return server.log().find(text) != std::string::npos;
}

}  // namespace

TEST(systemd_notify, ready_then_reloading_and_ready_around_each_reload_then_stopping_on_sigquit) {
    temp_dir dir;
    const std::string file = dir.path() + "/ringhttpd.toml";
    dir.write("ringhttpd.toml", "expires = \"off\"\n");
    notify_socket manager;
    server_process server({"-c", file});

    auto ready = manager.receive();
    ASSERT_TRUE(ready) << server.log();
    EXPECT_TRUE(ready->has("READY", "1")) << *ready;
    EXPECT_EQ(ready->get("MAINPID"), std::to_string(server.pid())) << *ready;
    EXPECT_EQ(ready->sender, server.pid());
    EXPECT_EQ(ready->get("STATUS").rfind("serving, listening on http://127.0.0.1:", 0), 0u)
        << *ready;
    // READY=1 means it serves: a request right now is answered.
    auto res = client(server.port()).roundtrip(get("/index.html"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);

    // An applied reload, then a refused one: each is bracketed by RELOADING=1 and READY=1.
    for (const auto& [text, outcome] :
         {std::pair{"expires = \"1h\"\n", "reload 1 applied"},
          std::pair{"expires = \"1h\"\ngzip = maybe\n", "reload 2 refused (see the log)"}}) {
        dir.write("ringhttpd.toml", text);
        const uint64_t before = monotonic_usec();
        server.signal(SIGHUP);
        auto reloading = manager.receive();
        ASSERT_TRUE(reloading) << server.log();
        EXPECT_TRUE(reloading->has("RELOADING", "1")) << *reloading;
        EXPECT_FALSE(reloading->fields.count("READY")) << *reloading;
        // MONOTONIC_USEC: when the reload started, on the clock systemd compares it with.
        const uint64_t at = std::stoull(reloading->get("MONOTONIC_USEC"));
        EXPECT_GE(at, before);
        EXPECT_LE(at, monotonic_usec());
        auto done = manager.receive();
        ASSERT_TRUE(done) << server.log();
        EXPECT_TRUE(done->has("READY", "1")) << *done;
        EXPECT_EQ(done->get("STATUS"), std::string("serving; ") + outcome) << *done;
    }
    res = client(server.port()).roundtrip(get("/index.html"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->header("cache-control"), "max-age=3600") << "reload 1 applied, 2 refused";

    server.signal(SIGQUIT);
    auto stopping = manager.receive();
    ASSERT_TRUE(stopping) << server.log();
    EXPECT_TRUE(stopping->has("STOPPING", "1")) << *stopping;
    EXPECT_TRUE(stopping->has("STATUS", "draining")) << *stopping;
    EXPECT_EQ(server.wait_exit(patience), 0);
    EXPECT_FALSE(manager.receive(100ms)) << "nothing after STOPPING=1";
}

TEST(systemd_notify, sigterm_says_stopping_before_the_process_exits) {
    notify_socket manager;
    server_process server;
    ASSERT_TRUE(manager.receive());  // READY=1
    server.signal(SIGTERM);
    auto stopping = manager.receive();
    ASSERT_TRUE(stopping) << server.log();
    EXPECT_TRUE(stopping->has("STOPPING", "1")) << *stopping;
    EXPECT_TRUE(stopping->has("STATUS", "stopping")) << *stopping;
    EXPECT_EQ(server.wait_exit(patience), 0);
}

// systemd follows the new process only if MAINPID= names it before the old one exits (else the
// main process's exit stops the unit and kills the new one), and the old one must not say
// STOPPING=1 on its way out (that would stop the unit too).
TEST(systemd_notify, a_binary_upgrade_moves_mainpid_to_the_new_process_before_the_old_exits) {
    notify_socket manager;
    server_process server({"--threads", "1"});
    auto first = manager.receive();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->get("MAINPID"), std::to_string(server.pid()));

    server.signal(SIGUSR2);
    auto upgrading = manager.receive();
    ASSERT_TRUE(upgrading) << server.log();
    EXPECT_EQ(upgrading->sender, server.pid());
    EXPECT_EQ(upgrading->get("STATUS").rfind("upgrading: starting ", 0), 0u) << *upgrading;
    EXPECT_FALSE(upgrading->fields.count("STOPPING")) << *upgrading;

    auto taken_over = manager.receive();
    ASSERT_TRUE(taken_over) << server.log();
    const pid_t next = taken_over->sender;
    EXPECT_NE(next, server.pid());
    EXPECT_TRUE(taken_over->has("READY", "1")) << *taken_over;
    EXPECT_EQ(taken_over->get("MAINPID"), std::to_string(next)) << *taken_over;
    // The new process sends this before it tells the old one that it serves (main.cpp), so the
    // old one drains and exits only after MAINPID= has moved.
    EXPECT_EQ(server.wait_exit(patience), 0) << server.log();
    EXPECT_TRUE(logged(server, "upgrade: process " + std::to_string(next) + " serves"))
        << server.log();
    // Nothing more from the old process: STOPPING=1 above all would stop the unit.
    const auto late = manager.receive(200ms);
    EXPECT_FALSE(late) << *late;

    auto res = client(server.port()).roundtrip(get("/index.html"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    kill(next, SIGQUIT);
    auto stopping = manager.receive();
    ASSERT_TRUE(stopping);
    EXPECT_EQ(stopping->sender, next);
    EXPECT_TRUE(stopping->has("STOPPING", "1")) << *stopping;
    EXPECT_TRUE(wait_until(
        patience, [&] { return kill(next, 0) != 0; }, "the new process exits"));
}
