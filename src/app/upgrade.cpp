#include "app/upgrade.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <stdexcept>

#include <spdlog/spdlog.h>

extern char** environ;

namespace ringhttpd::app {
namespace {

// "FD ADDRESS" per line: the sockets handed over.
constexpr const char* listen_fds_variable = "RINGHTTPD_LISTEN_FDS";
// The pipe on which the new process says that it serves.
constexpr const char* ready_fd_variable = "RINGHTTPD_UPGRADE_READY_FD";

// A descriptor number handed over in the environment (not stdin, stdout or stderr), or -1.
int descriptor_number(const std::string& text) {
    char* end = nullptr;
    const long fd = std::strtol(text.c_str(), &end, 10);
    return (!text.empty() && *end == '\0' && fd > 2 && fd < 1 << 20) ? int(fd) : -1;
}

// Whether `fd` is a listening stream socket: an environment variable copied into an unrelated
// process must not make it accept on whatever descriptor the number happens to be.
bool is_listening_socket(int fd) {
    struct stat st {};
    int listening = 0;
    socklen_t len = sizeof listening;
    return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
           getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening;
}

std::string listen_fds_text(const std::vector<std::pair<std::string, std::vector<int>>>& sockets) {
    std::string text;
    for (const auto& [address, fds] : sockets)
        for (int fd : fds) text += std::to_string(fd) + " " + address + "\n";
    return text;
}

// The environment of this process, without a previous upgrade's variables, plus `extra`.
std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
    std::vector<std::string> out;
    for (char** e = environ; *e; ++e) {
        const std::string_view entry(*e);
        if (entry.starts_with(std::string(listen_fds_variable) + "=") ||
            entry.starts_with(std::string(ready_fd_variable) + "="))
            continue;
        out.emplace_back(entry);
    }
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (std::string& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// Starts the new process with `inherited` open in it; returns its pid.
pid_t spawn(const std::string& executable, const std::vector<std::string>& args,
            std::vector<std::string> env, const std::vector<int>& inherited) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // dup2 onto itself clears close-on-exec (glibc 2.29+), so exactly these are inherited.
    for (int fd : inherited) posix_spawn_file_actions_adddup2(&actions, fd, fd);
    std::vector<std::string> argv_strings{executable};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv = pointers_to(argv_strings);
    std::vector<char*> envp = pointers_to(env);
    pid_t pid = -1;
    const int err =
        posix_spawn(&pid, executable.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) throw std::runtime_error("cannot start " + executable + ": " + strerror(err));
    return pid;
}

enum class new_process { serves, exited, silent };

// Waits for the new process's word on `ready`: it serves, it exited (the pipe closed unwritten),
// or it said nothing within `timeout_ms`.
new_process wait_for_ready(int ready, unsigned timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{ready, POLLIN, 0};
        const int n = left.count() > 0 ? poll(&p, 1, int(left.count())) : 0;
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return new_process::silent;
        char byte = 0;
        return ::read(ready, &byte, 1) == 1 ? new_process::serves : new_process::exited;
    }
}

std::string exit_status_text(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("was killed by ") + strsignal(WTERMSIG(status));
    return "stopped";
}

}  // namespace

std::string own_executable() {
    char path[4096];
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    return n > 0 ? std::string(path, size_t(n)) : std::string();
}

void take_handed_over_listeners(server& srv) {
    const char* text = std::getenv(listen_fds_variable);
    if (!text) return;
    std::map<std::string, std::vector<unique_fd>> by_address;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        const size_t space = line.find(' ');
        if (space == std::string::npos) continue;
        const int fd = descriptor_number(line.substr(0, space));
        if (fd < 0 || !is_listening_socket(fd)) {
            spdlog::warn(
                "upgrade: descriptor {} handed over for {} is not a listening socket; "
                "ignored",
                fd, line.substr(space + 1));
            continue;
        }
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        by_address[line.substr(space + 1)].emplace_back(fd);
    }
    for (auto& [address, fds] : by_address) {
        spdlog::info("upgrade: took over {} socket(s) listening on {}", fds.size(), address);
        srv.inherit_listeners(address, std::move(fds));
    }
    ::unsetenv(listen_fds_variable);
}

void tell_old_process_we_serve() {
    const char* text = std::getenv(ready_fd_variable);
    const int ready = text ? descriptor_number(text) : -1;
    ::unsetenv(ready_fd_variable);
    if (ready < 0) return;
    // The old process is our parent, and it waits for the byte below, so it is alive here.
    ::prctl(PR_SET_PDEATHSIG, old_process_gone_signal());
    const char byte = '1';
    // EPIPE: it was killed before reading; it has gone already.
    if (::write(ready, &byte, 1) != 1) ::raise(old_process_gone_signal());
    ::close(ready);
}

int old_process_gone_signal() {
    return SIGRTMIN;
}

bool hand_over_to_new_binary(server& srv, const std::string& executable,
                             const std::vector<std::string>& args, unsigned timeout_ms) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        spdlog::error("upgrade: pipe: {}; still serving", strerror(errno));
        return false;
    }
    unique_fd ready(pipe_fds[0]), ready_writer(pipe_fds[1]);
    const auto sockets = srv.listening_sockets();
    std::vector<int> inherited{ready_writer.get()};
    for (const auto& [address, fds] : sockets)
        inherited.insert(inherited.end(), fds.begin(), fds.end());
    pid_t pid = -1;
    try {
        pid =
            spawn(executable, args,
                  environment_with(
                      {std::string(listen_fds_variable) + "=" + listen_fds_text(sockets),
                       std::string(ready_fd_variable) + "=" + std::to_string(ready_writer.get())}),
                  inherited);
    } catch (const std::exception& e) {
        spdlog::error("upgrade: {}; still serving", e.what());
        return false;
    }
    ready_writer.reset();  // now only the new process holds it: its exit closes the pipe
    spdlog::info("upgrade: started {} as process {}; waiting until it serves", executable, pid);
    const new_process outcome = wait_for_ready(ready.get(), timeout_ms);
    if (outcome == new_process::serves) {
        spdlog::info("upgrade: process {} serves; draining this one (process {})", pid, getpid());
        srv.keep_socket_files();
        return true;
    }
    if (outcome == new_process::silent) ::kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (outcome == new_process::silent)
        spdlog::error(
            "upgrade: process {} did not serve within {} ms and was killed; still "
            "serving",
            pid, timeout_ms);
    else
        spdlog::error("upgrade: process {} {} before serving (its log says why); still serving",
                      pid, exit_status_text(status));
    return false;
}

}  // namespace ringhttpd::app
