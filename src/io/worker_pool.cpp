#include "io/worker_pool.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace ringhttpd::io {

worker_pool::worker_pool(unsigned threads, size_t queue_capacity) : capacity_(queue_capacity) {
    threads_.reserve(threads);
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

worker_pool::~worker_pool() {
    abandon();
}

bool worker_pool::try_submit(job j) {
    {
        std::lock_guard lock(mutex_);
        if (finishing_) return false;
        if (queue_.size() >= capacity_) {
            ++rejected_;
            return false;
        }
        queue_.push_back(std::move(j));
        ++submitted_;
    }
    has_work_.notify_one();
    return true;
}

worker_pool_stats worker_pool::stats() const {
    std::lock_guard lock(mutex_);
    return {queue_.size(), submitted_, rejected_};
}

void worker_pool::work() {
    while (true) {
        job next;
        {
            std::unique_lock lock(mutex_);
            has_work_.wait(lock, [this] { return !queue_.empty() || finishing_; });
            // Finishing: only once the queue is empty; abandoning: at once.
            if (stop_.stop_requested() || queue_.empty()) return;
            next = std::move(queue_.front());
            queue_.pop_front();
        }
        try {
            next();
        } catch (const std::exception& e) {  // jobs report their own errors; this is a last guard
            spdlog::error("worker job threw: {}", e.what());
        } catch (...) {
            spdlog::error("worker job threw a non-exception");
        }
    }
}

void worker_pool::finish() {
    stop_threads(false);
}

void worker_pool::abandon() {
    stop_threads(true);
}

void worker_pool::stop_threads(bool drop_queued) {
    std::deque<job> dropped;  // destroyed outside the lock: a job's captures may be large
    {
        std::lock_guard lock(mutex_);
        finishing_ = true;
        if (drop_queued) {
            stop_.request_stop();  // also wakes jobs that wait on stop_token()
            dropped.swap(queue_);
        }
    }
    has_work_.notify_all();
    std::lock_guard joining(join_mutex_);  // finish() and abandon() may race (server::stop)
    for (auto& t : threads_)
        if (t.joinable()) t.join();
}

}  // namespace ringhttpd::io
