#pragma once
// The worker pool shared by every ring: threads that run whatever may block (handlers declared
// blocking, opening and reading files), so a ring thread never waits on a disk or a sleep. Jobs
// wait in one bounded FIFO; when it is full try_submit refuses, and the caller answers 503 rather
// than letting a slow backend queue work without bound. A job reports its result itself (see
// reactor::run_work: a per-ring inbox plus a wake through io_uring).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ringhttpd::io {

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
    // Immediate: drops queued jobs, asks running ones to stop (see sleep_unless_stopping), then
    // joins the threads. A job that blocks without looking delays this until it returns.
    void abandon();

    unsigned threads() const { return unsigned(threads_.size()); }
    size_t queue_capacity() const { return capacity_; }

    // For jobs: sleeps `duration`, or less when the pool running this job is abandoned; false
    // then. Outside a worker thread it simply sleeps.
    static bool sleep_unless_stopping(std::chrono::milliseconds duration);
    // For jobs: true once the pool running this job is being abandoned.
    static bool stopping();

  private:
    void work();
    void stop_threads(bool drop_queued);

    const size_t capacity_;
    std::mutex mutex_;
    std::condition_variable has_work_;
    std::condition_variable abandoned_;  // wakes sleep_unless_stopping
    std::deque<job> queue_;
    bool finishing_ = false;
    std::atomic<bool> abandoning_{false};  // written under mutex_, read anywhere
    std::vector<std::thread> threads_;
};

}  // namespace ringhttpd::io
