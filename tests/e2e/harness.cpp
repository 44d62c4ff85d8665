#include "harness.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace e2e {
namespace {

// Makes io_uring_setup fail with `err`, as Docker's or podman's seccomp profile would.
void deny_io_uring(int err) {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{sizeof filter / sizeof filter[0], filter};
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

pid_t spawn(const std::vector<std::string>& args, int* output_fd, const process_limits& limits) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        dup2(pipefd[1], STDERR_FILENO);
        if (limits.max_open_files) {
            rlimit lim{limits.max_open_files, limits.max_open_files};
            setrlimit(RLIMIT_NOFILE, &lim);
        }
        if (limits.io_uring_setup_errno) deny_io_uring(limits.io_uring_setup_errno);
        for (const auto& [name, value] : limits.environment) setenv(name.c_str(), value.c_str(), 1);
        std::vector<char*> argv;
        std::string binary = RINGHTTPD_BINARY;
        argv.push_back(binary.data());
        for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(binary.c_str(), argv.data());
        _exit(127);
    }
    close(pipefd[1]);
    *output_fd = pipefd[0];
    return pid;
}

int wait_for(pid_t pid, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return -1;
}

}  // namespace

bool kernel_compat_masked() {
    const char* mask = getenv("RINGHTTPD_KERNEL_COMPAT");
    return mask && *mask;
}

bool wait_until(std::chrono::steady_clock::time_point deadline, const std::function<bool()>& done,
                const std::string& what, std::source_location caller) {
    const auto start = std::chrono::steady_clock::now();
    auto pause = std::chrono::milliseconds(1);
    while (!done()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            const auto waited =
                std::chrono::duration_cast<std::chrono::milliseconds>(now - start).count();
            ADD_FAILURE_AT(caller.file_name(), int(caller.line()))
                << "gave up after " << waited << " ms waiting until " << what;
            return false;
        }
        std::this_thread::sleep_for(
            std::min(pause, std::chrono::ceil<std::chrono::milliseconds>(deadline - now)));
        pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
    return true;
}

bool wait_until(std::chrono::milliseconds timeout, const std::function<bool()>& done,
                const std::string& what, std::source_location caller) {
    return wait_until(std::chrono::steady_clock::now() + timeout, done, what, caller);
}

server_process::server_process(std::vector<std::string> extra_args, std::string root,
                               process_limits limits) {
    // The tests open many connections; let the server (a child) inherit a generous limit.
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);

    std::vector<std::string> args{"--listen", "127.0.0.1:0", "--root", root, "--threads", "2"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    int out_fd = -1;
    pid_ = spawn(args, &out_fd, limits);
    log_reader_ = std::thread([this, out_fd] {
        char buf[4096];
        ssize_t n;
        while ((n = read(out_fd, buf, sizeof buf)) > 0) {
            std::lock_guard lock(log_mutex_);
            log_.append(buf, size_t(n));
            log_grew_.notify_all();
        }
        close(out_fd);
        std::lock_guard lock(log_mutex_);
        log_closed_ = true;
        log_grew_.notify_all();
    });
    const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+))");
    std::smatch m;
    std::unique_lock lock(log_mutex_);
    log_grew_.wait_for(lock, std::chrono::seconds(10),
                       [&] { return log_closed_ || std::regex_search(log_, m, listening); });
    if (!std::regex_search(log_, m, listening)) {
        std::string output = log_;
        lock.unlock();
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        log_reader_.join();  // the pipe closes once the process is gone
        throw std::runtime_error("server did not start; its output:\n" + output);
    }
    port_ = uint16_t(std::stoi(m[1]));
}

server_process::~server_process() {
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (log_reader_.joinable()) log_reader_.join();
    // In sanitizer builds a report in the server's output fails the test that ran it, even when
    // the server carried on.
    for (const char* report : {"ThreadSanitizer", "AddressSanitizer", "runtime error:"})
        if (log_.find(report) != std::string::npos)
            ADD_FAILURE() << "sanitizer report from the server:\n" << log_;
}

void server_process::signal(int sig) const {
    kill(pid_, sig);
}

int server_process::wait_exit(std::chrono::milliseconds timeout) {
    int status = wait_for(pid_, timeout);
    pid_ = -1;
    return status;
}

std::string server_process::log() const {
    std::lock_guard lock(log_mutex_);
    return log_;
}

std::pair<int, std::string> run_binary(const std::vector<std::string>& args,
                                       std::chrono::milliseconds timeout, process_limits limits) {
    int out_fd = -1;
    pid_t pid = spawn(args, &out_fd, limits);
    std::string output;
    char buf[4096];
    pollfd p{out_fd, POLLIN, 0};
    while (poll(&p, 1, int(timeout.count())) > 0) {
        ssize_t n = read(out_fd, buf, sizeof buf);
        if (n <= 0) break;
        output.append(buf, size_t(n));
    }
    close(out_fd);
    return {wait_for(pid, timeout), output};
}

long resident_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

size_t open_descriptors(pid_t pid) {
    size_t n = 0;
    for ([[maybe_unused]] auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
        ++n;
    return n;
}

client::client(uint16_t port, const char* address, const char* source) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (source) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        inet_pton(AF_INET, source, &local.sin_addr);
        if (bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
            throw std::runtime_error(std::string("bind ") + source + ": " + strerror(errno));
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, address, &addr.sin_addr);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::runtime_error(std::string("connect: ") + strerror(errno));
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

client::~client() {
    if (fd_ >= 0) close(fd_);
}

void client::send(const std::string& bytes) const {
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0) throw std::runtime_error(std::string("send: ") + strerror(errno));
        done += size_t(n);
    }
}

bool client::fill() {
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, size_t(n));
    return true;
}

std::optional<http_response> client::read_response(bool head_request) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
        if (!fill()) return std::nullopt;
    http_response res;
    std::istringstream head(buffer_.substr(0, end));
    std::getline(head, res.status_line);
    if (!res.status_line.empty() && res.status_line.back() == '\r') res.status_line.pop_back();
    if (res.status_line.size() < 12) return std::nullopt;
    res.status = std::stoi(res.status_line.substr(9, 3));
    std::string line;
    while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
        size_t v = line.find_first_not_of(' ', colon + 1);
        res.headers[name] = v == std::string::npos ? "" : line.substr(v);
    }
    buffer_.erase(0, end + 4);
    size_t length = 0;
    bool no_body = head_request || res.status == 304 || res.status == 204 || res.status / 100 == 1;
    if (!no_body && res.has_header("content-length"))
        length = std::stoull(res.header("content-length"));
    while (buffer_.size() < length)
        if (!fill()) return std::nullopt;
    res.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return res;
}

std::optional<http_response> client::roundtrip(const std::string& request, bool head_request) {
    send(request);
    return read_response(head_request);
}

bool client::closed_by_peer(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, int(timeout.count())) <= 0) return false;
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

temp_dir::temp_dir() {
    char tmpl[] = "/tmp/ringhttpd-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void temp_dir::write(const std::string& relative, const std::string& content) const {
    std::filesystem::path p = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string capture(const std::string& command) {
    std::string out;
    FILE* p = popen(command.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

uint16_t free_port() {
    // Below the kernel's ephemeral range (32768 and up), where every server on port 0 and every
    // client socket of the tests running beside this one take theirs: a port found free here
    // stays free until the test binds it.
    static std::mt19937 pick(std::random_device{}());
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const uint16_t port = uint16_t(std::uniform_int_distribution<int>(20000, 32000)(pick));
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        close(fd);
        if (free) return port;
    }
    throw std::runtime_error("no free port between 20000 and 32000");
}

std::string get(const std::string& path, const std::string& extra_headers) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers + "\r\n";
}

}  // namespace e2e
