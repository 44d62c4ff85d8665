#pragma once
// End-to-end test harness: runs the real ringhttpd binary as a child process on port 0 and
// talks to it over real loopback sockets. Nothing here mocks the kernel or the network.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <source_location>
#include <string>
#include <thread>
#include <vector>

namespace e2e {

// How long a test waits for something that should happen promptly (a worker takes a job, the
// server sees a close): generous, for a loaded machine under ThreadSanitizer. A passing test
// waits only as long as the event takes.
inline constexpr std::chrono::seconds patience{20};

// Tests wait for an event they can observe, never for a fixed time they hope is long enough.
// wait_until polls `done` with a short backoff (1 ms, doubling up to 20 ms) until it returns
// true or `deadline` passes. On timeout it fails the calling test with a message naming `what`
// and the caller's line, and returns false: ASSERT_TRUE(wait_until(...)) stops the test there.
bool wait_until(std::chrono::steady_clock::time_point deadline, const std::function<bool()>& done,
                const std::string& what,
                std::source_location caller = std::source_location::current());
// The same with a deadline `timeout` from now.
bool wait_until(std::chrono::milliseconds timeout, const std::function<bool()>& done,
                const std::string& what,
                std::source_location caller = std::source_location::current());

// How the child process is set up before it runs the server binary.
struct process_limits {
    unsigned max_open_files = 0;   // RLIMIT_NOFILE soft and hard limit; 0 leaves it alone
    int io_uring_setup_errno = 0;  // a seccomp filter makes io_uring_setup fail with this
    // Set in the child's environment (e.g. RINGHTTPD_KERNEL_COMPAT); the rest is inherited.
    std::vector<std::pair<std::string, std::string>> environment;
};

// RINGHTTPD_KERNEL_COMPAT as the tests inherit it (scripts/compat-check.sh runs the suite under
// each mask): a test that expects a feature newer than the mask expects its fallback instead.
bool kernel_compat_masked();

// A running server. The destructor kills it if the test did not stop it.
class server_process {
  public:
    explicit server_process(std::vector<std::string> extra_args = {},
                            std::string root = RINGHTTPD_STATIC_DIR, process_limits limits = {});
    ~server_process();
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }
    void signal(int sig) const;
    // Waits for exit; returns the exit status, or -1 on timeout (the process is then killed).
    int wait_exit(std::chrono::milliseconds timeout);
    std::string log() const;  // everything it has written to stdout and stderr so far

  private:
    pid_t pid_ = -1;
    uint16_t port_ = 0;
    // A thread keeps reading the server's output so a chatty server never blocks on a full pipe.
    std::thread log_reader_;
    mutable std::mutex log_mutex_;
    std::condition_variable log_grew_;
    std::string log_;
    bool log_closed_ = false;
};

// Runs the binary with these arguments to completion; returns {exit status, stdout+stderr}.
std::pair<int, std::string> run_binary(const std::vector<std::string>& args,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                       process_limits limits = {});

// Resident memory of a process, in KiB (VmRSS).
long resident_kib(pid_t pid);
// How many descriptors a process has open.
size_t open_descriptors(pid_t pid);

struct http_response {
    int status = 0;
    std::string status_line;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    std::string header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? "" : it->second;
    }
    bool has_header(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
};

// A client connection with a receive timeout, speaking raw bytes.
class client {
  public:
    // `source`: the local address to connect from (127.0.0.2 is a second client on loopback).
    explicit client(uint16_t port, const char* address = "127.0.0.1", const char* source = nullptr);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    int fd() const { return fd_; }
    void send(const std::string& bytes) const;
    // Reads one response. `head_request`: the response to HEAD has no body whatever its headers
    // say. nullopt if the connection closed or timed out before a whole response arrived.
    std::optional<http_response> read_response(bool head_request = false);
    // Sends a request and reads its response.
    std::optional<http_response> roundtrip(const std::string& request, bool head_request = false);
    // True if the server closed the connection (EOF) within the timeout, with nothing else sent.
    bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(3));
    std::string buffered() const { return buffer_; }

  private:
    bool fill();  // reads more into buffer_; false on EOF/timeout/error
    int fd_ = -1;
    std::string buffer_;
};

// A temporary directory, removed with everything in it when the object dies.
class temp_dir {
  public:
    temp_dir();
    ~temp_dir();
    const std::string& path() const { return path_; }
    void write(const std::string& relative, const std::string& content) const;

  private:
    std::string path_;
};

std::string read_file(const std::string& path);
// Runs a shell command (curl, gzip...) and returns what it wrote to stdout.
std::string capture(const std::string& command);

// A port nothing listens on now, below the ephemeral range, for a listener of its own.
uint16_t free_port();
// "GET /path HTTP/1.1" with a Host header and optional extra header lines.
std::string get(const std::string& path, const std::string& extra_headers = "");

}  // namespace e2e
