#pragma once
// The worker pool shared by every ring: threads that run whatever may block (handlers declared
// blocking, opening and reading files), so a ring thread never waits on a disk or a sleep. Jobs
// wait in one bounded FIFO; when it is full try_submit refuses, and the caller answers 503 rather
// than letting a slow backend queue work without bound. A job reports its result itself (see
// reactor::run_work: a per-ring inbox plus a wake through io_uring).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

namespace ringhttpd::io {

// What the pool has done so far, and what waits now.
struct worker_pool_stats {
    size_t queued = 0;       // jobs waiting for a worker
    uint64_t submitted = 0;  // jobs accepted into the queue
    uint64_t rejected = 0;   // jobs refused because the queue was full (answered 503)
};

class worker_pool {
  public:
    using job = std::function<void()>;

    worker_pool(unsigned threads, size_t queue_capacity);
    ~worker_pool();  // abandons what is still queued
    worker_pool(const worker_pool&) = delete;
    worker_pool& operator=(const worker_pool&) = delete;

    // Queues `j`; false when the queue already holds queue_capacity jobs or the pool is stopping.
    bool try_submit(job j);
    // Graceful: runs every queued job, then joins the threads.
    void finish();
    // Immediate: drops queued jobs, asks running ones to stop (through stop_token()), then joins
    // the threads. A job that blocks without looking delays this until it returns.
    void abandon();

    // From any thread: takes the queue's lock briefly (a scrape, never the hot path).
    worker_pool_stats stats() const;
    unsigned threads() const { return unsigned(threads_.size()); }
    size_t queue_capacity() const { return capacity_; }
    // Stop is requested when the pool is abandoned: jobs that wait or loop should look.
    std::stop_token stop_token() const { return stop_.get_token(); }

  private:
    void work();
    void stop_threads(bool drop_queued);

    const size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable has_work_;
    std::deque<job> queue_;
    uint64_t submitted_ = 0, rejected_ = 0;  // guarded by mutex_, counted where it is held anyway
    bool finishing_ = false;
    std::stop_source stop_;
    std::mutex join_mutex_;
    std::vector<std::thread> threads_;
};

}  // namespace ringhttpd::io
