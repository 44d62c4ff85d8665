#include "core/access_log.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace ringhttpd::core {
namespace {

// The writer takes the rings' lines this often, or sooner when a ring holds this much.
constexpr auto flush_interval = std::chrono::milliseconds(200);
constexpr size_t flush_threshold = 64 * 1024;
// Dropped lines are reported at most this often.
constexpr auto drop_report_interval = std::chrono::seconds(1);

uint64_t random_prefix() {
    std::random_device device;
    return (uint64_t(device()) << 32) | device();
}

}  // namespace

access_log::access_log(access_log_options options, unsigned rings)
    : options_(std::move(options)), id_prefix_(random_prefix()), rings_(rings) {
    open_destination();
    if (!fd_)
        throw std::runtime_error("cannot open the access log " + options_.destination + ": " +
                                 strerror(errno) +
                                 " (create its directory, let this user write there, or set "
                                 "access_log = \"stdout\" or \"off\")");
    writer_ = std::thread([this] { run(); });
}

access_log::~access_log() {
    {
        std::lock_guard lock(wake_mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    writer_.join();
}

void access_log::record(unsigned ring, const http::exchange& e) {
    ring_buffer& buffer = rings_[ring];
    char id[40] = "";
    if (options_.format == http::log_format::json)  // as nginx's $request_id: 32 hex digits
        std::snprintf(id, sizeof id, "%016llx%04x%012llx", (unsigned long long)id_prefix_,
                      ring & 0xffff, (unsigned long long)(buffer.next_id++ & 0xffffffffffffULL));
    const http::log_time now = http::log_time_now();
    bool full = false;
    {
        std::lock_guard lock(buffer.mutex);
        if (buffer.lines.size() >= options_.ring_buffer_limit) {
            report_drop(ring, buffer);
            return;
        }
        const size_t before = buffer.lines.size();
        http::append_log_line(buffer.lines, options_.format, e, now, id);
        full = before < flush_threshold && buffer.lines.size() >= flush_threshold;
    }
    if (full) {
        std::lock_guard lock(wake_mutex_);
        flush_requested_ = true;
        wake_.notify_one();
    }
}

void access_log::report_drop(unsigned ring, ring_buffer& buffer) {
    const uint64_t dropped = buffer.dropped.load(std::memory_order_relaxed) + 1;
    buffer.dropped.store(dropped, std::memory_order_relaxed);
    // Said by the ring itself, at most once a second: the writer may be the one stuck.
    const auto now = std::chrono::steady_clock::now();
    if (now - buffer.last_report < drop_report_interval) return;
    spdlog::warn(
        "access log: {} line(s) dropped on ring {} since the last report: {} is slower "
        "than the traffic (ringhttpd_access_log_dropped_lines_total)",
        dropped - buffer.reported, ring, options_.destination);
    buffer.reported = dropped;
    buffer.last_report = now;
}

void access_log::reopen() {
    reopen_requested_ = true;
    std::lock_guard lock(wake_mutex_);
    flush_requested_ = true;
    wake_.notify_one();
}

uint64_t access_log::dropped_lines() const {
    uint64_t total = 0;
    for (const ring_buffer& b : rings_) total += b.dropped.load(std::memory_order_relaxed);
    return total;
}

void access_log::open_destination() {
    if (options_.destination == "stdout") {
        fd_.reset(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
        file_size_ = 0;
        return;
    }
    unique_fd fd(
        ::open(options_.destination.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!fd) {
        if (fd_)  // a reopen that failed: keep writing to the file in hand
            spdlog::error(
                "access log: cannot reopen {}: {}; still writing to the file opened "
                "before",
                options_.destination, strerror(errno));
        return;
    }
    struct stat st {};
    file_size_ = fstat(fd.get(), &st) == 0 ? uint64_t(st.st_size) : 0;
    fd_ = std::move(fd);
}

void access_log::run() {
    // A buffer per ring, swapped with the ring's: the lines are never copied, and both buffers
    // keep their capacity, so neither side allocates in the steady state.
    std::vector<std::string> taken(rings_.size());
    while (true) {
        bool stop = false;
        {
            std::unique_lock lock(wake_mutex_);
            wake_.wait_for(lock, flush_interval, [this] { return stopping_ || flush_requested_; });
            flush_requested_ = false;
            stop = stopping_;
        }
        size_t i = 0;
        for (ring_buffer& b : rings_) {
            std::lock_guard lock(b.mutex);
            b.lines.swap(taken[i++]);
        }
        write_batch(taken);
        for (std::string& lines : taken) lines.clear();
        if (reopen_requested_.exchange(false)) open_destination();
        if (stop) return;
    }
}

void access_log::write_batch(const std::vector<std::string>& parts) {
    std::vector<iovec> pieces;
    size_t left = 0;
    for (const std::string& part : parts)
        if (!part.empty()) {
            pieces.push_back({const_cast<char*>(part.data()), part.size()});
            left += part.size();
        }
    if (left == 0) return;
    file_size_ += left;
    // One writev for every ring's lines; a short write goes on from where it stopped.
    iovec* next = pieces.data();
    int count = int(pieces.size());
    while (left > 0) {
        const ssize_t n = ::writev(fd_.get(), next, std::min(count, IOV_MAX));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            spdlog::error("access log: writing {} failed: {}; {} bytes of lines lost",
                          options_.destination, strerror(errno), left);
            file_size_ -= left;
            return;
        }
        left -= size_t(n);
        for (size_t done = size_t(n); done > 0;) {
            const size_t step = std::min(done, next->iov_len);
            next->iov_base = static_cast<char*>(next->iov_base) + step;
            next->iov_len -= step;
            done -= step;
            if (next->iov_len == 0) {
                ++next;
                --count;
            }
        }
    }
    if (options_.rotate_size > 0 && options_.destination != "stdout" &&
        file_size_ >= options_.rotate_size)
        rotate();
}

void access_log::rotate() {
    const std::string& path = options_.destination;
    // FILE.N-1 -> FILE.N, ..., FILE -> FILE.1: the oldest falls off the end.
    for (unsigned i = options_.rotate_files; i > 1; --i)
        std::rename((path + "." + std::to_string(i - 1)).c_str(),
                    (path + "." + std::to_string(i)).c_str());
    if (std::rename(path.c_str(), (path + ".1").c_str()) != 0)
        spdlog::error("access log: cannot rotate {}: {}", path, strerror(errno));
    open_destination();
}

}  // namespace ringhttpd::core
