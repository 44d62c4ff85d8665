#pragma once
// The access log. A ring never waits for the disk and never writes per request: it formats its
// line into a buffer of its own, and one writer thread takes every ring's buffer a few times a
// second (or sooner when one fills) and writes it in one go. When the disk is slower than the
// traffic a ring's buffer stops growing at its bound; the lines that did not fit are dropped,
// counted (dropped_lines) and reported in the error log, and requests never wait.
//
// A file destination is opened for appending. reopen() (SIGUSR1, logrotate's postrotate) makes
// the writer open the path again after the batch in hand: every line goes to exactly one file.
// With rotate_size set, the writer itself renames FILE to FILE.1 (FILE.1 to FILE.2, ... up to
// rotate_files) when FILE reaches that size.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/access_log_format.hpp"
#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::core {

struct access_log_options {
    std::string destination;  // a file path, or "stdout"
    http::log_format format = http::log_format::combined;
    uint64_t rotate_size = 10 * 1024 * 1024;     // 0: never rotate
    unsigned rotate_files = 5;                   // FILE.1 .. FILE.N kept
    size_t ring_buffer_limit = 4 * 1024 * 1024;  // bytes a ring may hold unwritten
};

class access_log {
  public:
    // Opens the destination; throws std::runtime_error naming the path and the fix.
    access_log(access_log_options options, unsigned rings);
    ~access_log();  // writes what is buffered, then stops the writer
    access_log(const access_log&) = delete;
    access_log& operator=(const access_log&) = delete;

    // On ring `ring`'s thread: the line for `e`.
    void record(unsigned ring, const http::exchange& e);
    void reopen();  // thread-safe
    uint64_t dropped_lines() const;

  private:
    struct ring_buffer {
        std::mutex mutex;  // taken by the ring per line, by the writer per batch
        std::string lines;
        std::atomic<uint64_t> dropped{0};  // written by the ring only
        uint64_t reported = 0;             // of those, already in the error log
        std::chrono::steady_clock::time_point last_report{};
        uint64_t next_id = 0;  // request ids: ring, then a count
    };

    void report_drop(unsigned ring, ring_buffer& buffer);  // on the ring, with its lock held
    void open_destination();  // on the writer thread, or in the constructor
    void run();               // the writer thread
    void write_batch(const std::vector<std::string>& parts);
    void rotate();

    const access_log_options options_;
    const uint64_t id_prefix_;       // random per process, so request ids differ between runs
    std::deque<ring_buffer> rings_;  // a deque: ring_buffer holds a mutex and cannot move
    unique_fd fd_;
    uint64_t file_size_ = 0;
    std::mutex wake_mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;         // guarded by wake_mutex_
    bool flush_requested_ = false;  // guarded by wake_mutex_
    std::atomic<bool> reopen_requested_{false};
    std::thread writer_;
};

}  // namespace ringhttpd::core
