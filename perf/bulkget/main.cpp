// bulkget: a closed-loop HTTP/1.1 load generator for large responses (see perf/README.md).
//
// Like wrk, each keep-alive connection sends one GET, waits for the whole answer and sends the
// next. Unlike wrk, which reads 8 KB per call and asks FIONREAD between reads (nine reads and
// eight ioctls per 64 KB answer) and re-arms epoll for every request, bulkget reads up to
// -r bytes (256 KB) per call and keeps each socket registered once. On a 2-core machine wrk's
// core saturates on 64 KB and 1 MB files before any fast server's core does; with bulkget the
// server core is the limit, which is what a one-core server comparison has to measure.
//
//     bulkget -c 64 -d 10 [-t THREADS] [-r READ_BYTES] [-H 'Name: value']
//     http://127.0.0.1:8080/64k.bin

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "response_reader.hpp"

namespace {

struct options {
    std::string host;
    std::string port;
    std::string path;
    int connections = 64;
    int threads = 1;
    double seconds = 10;
    size_t read_size = 256 * 1024;
    std::vector<std::string> headers;
};

[[noreturn]] void usage(const char* problem) {
    std::fprintf(stderr,
                 "bulkget: %s\n"
                 "usage: bulkget [-c CONNECTIONS] [-t THREADS] [-d SECONDS] [-r READ_BYTES]\n"
                 "               [-H 'Name: value']... http://HOST:PORT/PATH\n",
                 problem);
    std::exit(2);
}

long positive_number(const std::string& text, const char* what) {
    char* end = nullptr;
    long value = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || value <= 0) usage(what);
    return value;
}

options parse_options(int argc, char** argv) {
    options o;
    std::string url;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.rfind("http://", 0) == 0 && url.empty()) {
            url = arg;
            continue;
        }
        // Options take their value attached or as the next argument, as wrk's do: -c64 or -c 64.
        if (arg.size() < 2 || arg[0] != '-') usage(("unexpected argument: " + arg).c_str());
        std::string value = arg.substr(2);
        if (value.empty()) {
            if (i + 1 == argc) usage(("no value for " + arg).c_str());
            value = argv[++i];
        }
        switch (arg[1]) {
            case 'c':
                o.connections = int(positive_number(value, "-c needs a positive count"));
                break;
            case 't':
                o.threads = int(positive_number(value, "-t needs a positive count"));
                break;
            case 'd':
                o.seconds = double(positive_number(value, "-d needs whole seconds"));
                break;
            case 'r':
                o.read_size = size_t(positive_number(value, "-r needs a byte count"));
                break;
            case 'H':
                o.headers.push_back(value);
                break;
            default:
                usage(("unknown option: " + arg).c_str());
        }
    }
    if (url.empty()) usage("no URL");
    std::string rest = url.substr(7);
    size_t slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    o.path = slash == std::string::npos ? "/" : rest.substr(slash);
    size_t colon = authority.rfind(':');
    if (colon == std::string::npos) usage("the URL needs a port: http://HOST:PORT/PATH");
    o.host = authority.substr(0, colon);
    o.port = authority.substr(colon + 1);
    if (o.threads > o.connections) o.threads = o.connections;
    return o;
}

uint64_t now_ns() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return uint64_t(t.tv_sec) * 1'000'000'000 + uint64_t(t.tv_nsec);
}

struct tally {
    std::vector<uint64_t> latencies_ns;  // one per completed response
    uint64_t bytes = 0;
    uint64_t connect_errors = 0;
    uint64_t io_errors = 0;        // a send or receive failed, or the server closed first
    uint64_t status_errors = 0;    // answers other than 2xx and 3xx
    uint64_t protocol_errors = 0;  // answers bulkget could not follow
    std::string first_problem;

    void note(const std::string& problem) {
        if (first_problem.empty()) first_problem = problem;
    }
};

struct connection {
    int fd = -1;
    bulkget::response_reader reader;
    uint64_t sent_ns = 0;
};

// One thread's share of the connections, on its own epoll instance.
class client {
  public:
    client(const options& o, const addrinfo& address, int connections)
        : address_(address), connections_(size_t(connections)) {
        request_ = "GET " + o.path + " HTTP/1.1\r\nHost: " + o.host + ":" + o.port + "\r\n";
        for (const std::string& header : o.headers) request_ += header + "\r\n";
        request_ += "\r\n";
        buffer_.resize(o.read_size);
    }

    tally run(uint64_t deadline_ns) {
        epoll_ = epoll_create1(EPOLL_CLOEXEC);
        for (connection& c : connections_) open(c);
        std::vector<epoll_event> events(256);
        while (now_ns() < deadline_ns) {
            int ready = epoll_wait(epoll_, events.data(), int(events.size()), 100);
            for (int i = 0; i < ready; ++i)
                on_readable(*static_cast<connection*>(events[i].data.ptr));
        }
        for (connection& c : connections_) ::close(c.fd);
        ::close(epoll_);
        return std::move(tally_);
    }

  private:
    void open(connection& c) {
        c.reader = {};
        c.fd = socket(address_.ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c.fd < 0 || connect(c.fd, address_.ai_addr, address_.ai_addrlen) != 0) {
            ++tally_.connect_errors;
            tally_.note(std::string("connect: ") + std::strerror(errno));
            if (c.fd >= 0) ::close(c.fd);
            c.fd = -1;
            return;
        }
        int one = 1;
        setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(c.fd, F_SETFL, O_NONBLOCK);
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.ptr = &c;
        epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &event);
        send_request(c);
    }

    void reopen(connection& c) {
        ::close(c.fd);
        open(c);
    }

    void send_request(connection& c) {
        c.sent_ns = now_ns();
        // A request is a few dozen bytes into an empty send buffer: it goes whole or not at all.
        if (send(c.fd, request_.data(), request_.size(), MSG_NOSIGNAL) !=
            ssize_t(request_.size())) {
            ++tally_.io_errors;
            tally_.note(std::string("send: ") + std::strerror(errno));
            // Dropped, not reopened: open() sends at once, and a server refusing every request
            // would otherwise recurse without end.
            ::close(c.fd);
            c.fd = -1;
        }
    }

    void on_readable(connection& c) {
        ssize_t n = recv(c.fd, buffer_.data(), buffer_.size(), 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n <= 0) {  // every open connection has a request outstanding: its answer is lost
            ++tally_.io_errors;
            tally_.note(n == 0 ? "server closed a connection before answering"
                               : std::string("recv: ") + std::strerror(errno));
            reopen(c);
            return;
        }
        tally_.bytes += uint64_t(n);
        std::string_view input(buffer_.data(), size_t(n));
        auto [what, consumed] = c.reader.feed(input);
        if (what == bulkget::response_reader::outcome::need_more) return;
        if (what == bulkget::response_reader::outcome::error || consumed != input.size()) {
            ++tally_.protocol_errors;
            tally_.note(what == bulkget::response_reader::outcome::error
                            ? c.reader.error_text()
                            : "bytes after the answer to the only request sent");
            reopen(c);
            return;
        }
        tally_.latencies_ns.push_back(now_ns() - c.sent_ns);
        int status = c.reader.status();
        if (status < 200 || status >= 400) {
            ++tally_.status_errors;
            tally_.note("status " + std::to_string(status));
        }
        if (c.reader.close_after()) {
            reopen(c);
        } else {
            send_request(c);
        }
    }

    const addrinfo& address_;
    std::vector<connection> connections_;
    std::string request_;
    std::vector<char> buffer_;
    int epoll_ = -1;
    tally tally_;
};

double percentile_ms(const std::vector<uint64_t>& sorted, double fraction) {
    if (sorted.empty()) return 0;
    size_t index = std::min(sorted.size() - 1, size_t(double(sorted.size()) * fraction));
    return double(sorted[index]) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    options o = parse_options(argc, argv);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* address = nullptr;
    if (int error = getaddrinfo(o.host.c_str(), o.port.c_str(), &hints, &address); error != 0) {
        std::fprintf(stderr, "bulkget: %s:%s: %s\n", o.host.c_str(), o.port.c_str(),
                     gai_strerror(error));
        return 2;
    }

    std::vector<client> clients;
    clients.reserve(size_t(o.threads));
    for (int t = 0; t < o.threads; ++t) {
        int share = o.connections / o.threads + (t < o.connections % o.threads ? 1 : 0);
        clients.emplace_back(o, *address, share);
    }
    std::vector<tally> tallies(clients.size());
    uint64_t start = now_ns();
    uint64_t deadline = start + uint64_t(o.seconds * 1e9);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < clients.size(); ++t) {
        threads.emplace_back([&, t] { tallies[t] = clients[t].run(deadline); });
    }
    for (std::thread& thread : threads) thread.join();
    double elapsed = double(now_ns() - start) / 1e9;
    freeaddrinfo(address);

    tally all;
    for (tally& t : tallies) {
        all.latencies_ns.insert(all.latencies_ns.end(), t.latencies_ns.begin(),
                                t.latencies_ns.end());
        all.bytes += t.bytes;
        all.connect_errors += t.connect_errors;
        all.io_errors += t.io_errors;
        all.status_errors += t.status_errors;
        all.protocol_errors += t.protocol_errors;
        all.note(t.first_problem);
    }
    std::sort(all.latencies_ns.begin(), all.latencies_ns.end());
    size_t responses = all.latencies_ns.size();
    std::printf("bulkget http://%s:%s%s: %d connections, %d threads, %.1f s, %zu-byte reads\n",
                o.host.c_str(), o.port.c_str(), o.path.c_str(), o.connections, o.threads, elapsed,
                o.read_size);
    std::printf("responses: %zu\n", responses);
    std::printf("responses/s: %.1f\n", double(responses) / elapsed);
    std::printf("MiB/s: %.1f\n", double(all.bytes) / elapsed / 1048576);
    std::printf("latency ms: p50 %.3f p90 %.3f p99 %.3f max %.3f\n",
                percentile_ms(all.latencies_ns, 0.50), percentile_ms(all.latencies_ns, 0.90),
                percentile_ms(all.latencies_ns, 0.99), percentile_ms(all.latencies_ns, 1.0));
    std::printf("errors: connect %lu, io %lu, status %lu, protocol %lu\n",
                (unsigned long)all.connect_errors, (unsigned long)all.io_errors,
                (unsigned long)all.status_errors, (unsigned long)all.protocol_errors);
    if (!all.first_problem.empty()) std::printf("first error: %s\n", all.first_problem.c_str());
    return 0;
}
