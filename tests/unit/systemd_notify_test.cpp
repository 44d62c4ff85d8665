// sd_notify by hand: the datagrams reach a real AF_UNIX socket, as they reach systemd's.

#include "app/systemd_notify.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ringhttpd/unique_fd.hpp"

using namespace ringhttpd;
using namespace ringhttpd::app;

namespace {

// A datagram socket bound as systemd binds its notification socket: at a path, or at an
// abstract name (written "@name", as $NOTIFY_SOCKET writes it).
class notify_socket {
  public:
    explicit notify_socket(bool abstract) {
        name_ = abstract ? "@ringhttpd-notify-test-" + std::to_string(getpid())
                         : (std::filesystem::temp_directory_path() /
                            ("ringhttpd-notify-test-" + std::to_string(getpid())))
                               .string();
        if (!abstract) ::unlink(name_.c_str());
        fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path, name_.data(), name_.size());
        if (abstract) address.sun_path[0] = '\0';
        const auto length = socklen_t(offsetof(sockaddr_un, sun_path) + name_.size());
        if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), length) != 0)
            throw std::runtime_error(std::string("bind: ") + strerror(errno));
        // systemd reads the sender's credentials to know which process spoke (NotifyAccess=).
        const int on = 1;
        ::setsockopt(fd_.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    }
    ~notify_socket() {
        if (name_[0] == '/') ::unlink(name_.c_str());
    }
    const std::string& name() const { return name_; }

    struct message {
        std::string text;
        pid_t sender = 0;
    };
    // The next datagram, or nullopt if none comes within a second.
    std::optional<message> receive() const {
        pollfd p{fd_.get(), POLLIN, 0};
        if (::poll(&p, 1, 1000) != 1) return std::nullopt;
        char buf[4096];
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
        iovec iov{buf, sizeof buf};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(fd_.get(), &msg, 0);
        if (n < 0) return std::nullopt;
        message out{std::string(buf, size_t(n))};
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
                out.sender = reinterpret_cast<ucred*>(CMSG_DATA(c))->pid;
        return out;
    }

  private:
    std::string name_;
    unique_fd fd_;
};

// Sets an environment variable for one test, and puts back what was there.
class scoped_env {
  public:
    scoped_env(const char* name, const char* value) : name_(name) {
        if (const char* old = ::getenv(name)) old_ = old;
        value ? ::setenv(name, value, 1) : ::unsetenv(name);
    }
    ~scoped_env() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }

  private:
    const char* name_;
    std::optional<std::string> old_;
};

}  // namespace

TEST(systemd_notify, a_path_socket_gets_the_state_as_one_datagram_with_our_credentials) {
    notify_socket manager(false);
    ASSERT_TRUE(systemd_notify_to(manager.name(), "READY=1\nSTATUS=serving"));
    auto message = manager.receive();
    ASSERT_TRUE(message);
    EXPECT_EQ(message->text, "READY=1\nSTATUS=serving");
    EXPECT_EQ(message->sender, getpid());
}

TEST(systemd_notify, an_abstract_socket_is_named_with_a_leading_at_sign) {
    notify_socket manager(true);
    ASSERT_TRUE(systemd_notify_to(manager.name(), "STOPPING=1"));
    auto message = manager.receive();
    ASSERT_TRUE(message);
    EXPECT_EQ(message->text, "STOPPING=1");
}

TEST(systemd_notify, the_environment_names_the_socket_and_keeps_naming_it) {
    notify_socket manager(true);
    scoped_env env("NOTIFY_SOCKET", manager.name().c_str());
    ASSERT_TRUE(systemd_notify("RELOADING=1"));
    ASSERT_TRUE(systemd_notify("READY=1"));
    EXPECT_EQ(manager.receive()->text, "RELOADING=1");
    EXPECT_EQ(manager.receive()->text, "READY=1");
    // A process started by a binary upgrade inherits it.
    EXPECT_STREQ(::getenv("NOTIFY_SOCKET"), manager.name().c_str());
}

TEST(systemd_notify, without_the_variable_nothing_is_sent) {
    scoped_env env("NOTIFY_SOCKET", nullptr);
    EXPECT_FALSE(systemd_notify("READY=1"));
}

TEST(systemd_notify, names_systemd_would_not_make_are_refused) {
    for (const std::string& name :
         std::vector<std::string>{"", "@", "relative/socket", "notify",
                                  "/" + std::string(sizeof(sockaddr_un::sun_path), 'x')}) {
        errno = 0;
        EXPECT_FALSE(systemd_notify_to(name, "READY=1")) << name;
        EXPECT_EQ(errno, EINVAL) << name;
    }
}

TEST(systemd_notify, a_socket_nobody_listens_on_is_a_failed_send_not_a_crash) {
    EXPECT_FALSE(systemd_notify_to("/nonexistent/ringhttpd-notify", "READY=1"));
    EXPECT_FALSE(
        systemd_notify_to("@ringhttpd-notify-test-nobody-" + std::to_string(getpid()), "READY=1"));
}

TEST(systemd_notify, monotonic_usec_reads_clock_monotonic) {
    timespec before{};
    clock_gettime(CLOCK_MONOTONIC, &before);
    const uint64_t now = monotonic_usec();
    const uint64_t before_usec =
        uint64_t(before.tv_sec) * 1'000'000 + uint64_t(before.tv_nsec) / 1000;
    EXPECT_GE(now, before_usec);
    EXPECT_LT(now - before_usec, 1'000'000u);
}
