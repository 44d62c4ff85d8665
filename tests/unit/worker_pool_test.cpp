#include "io/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

using ringhttpd::io::worker_pool;
using namespace std::chrono_literals;

TEST(worker_pool, runs_jobs_and_refuses_beyond_the_queue_capacity) {
    worker_pool pool(1, 2);
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::promise<void> started;
    ASSERT_TRUE(pool.try_submit([&] {
        started.set_value();
        released.wait();
    }));
    started.get_future().wait();  // the worker holds the first job
    std::atomic<int> ran{0};
    EXPECT_TRUE(pool.try_submit([&] { ++ran; }));
    EXPECT_TRUE(pool.try_submit([&] { ++ran; }));
    EXPECT_FALSE(pool.try_submit([&] { ++ran; }));  // two are waiting: full
    release.set_value();
    pool.finish();  // runs what was queued
    EXPECT_EQ(ran.load(), 2);
    EXPECT_FALSE(pool.try_submit([] {}));  // finished pools take nothing
}

TEST(worker_pool, abandon_drops_queued_jobs_and_stops_running_ones) {
    worker_pool pool(1, 8);
    std::promise<bool> slept;
    std::promise<void> started;
    ASSERT_TRUE(pool.try_submit([&, stop = pool.stop_token()] {
        started.set_value();
        std::mutex mutex;
        std::condition_variable_any woken;
        std::unique_lock lock(mutex);
        woken.wait_for(lock, stop, 10s, [&] { return stop.stop_requested(); });
        // Not wait_for's result: libstdc++ 12 returns false, not the predicate, when the stop
        // comes between its predicate check and its wait. True only if 10 s passed unstopped.
        slept.set_value(!stop.stop_requested());
    }));
    std::atomic<int> ran{0};
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(pool.try_submit([&] { ++ran; }));
    // The one worker holds the waiting job, so the other four wait in the queue. (An abandon
    // that comes before the wait begins still ends it: the wait checks first.)
    started.get_future().wait();
    const auto start = std::chrono::steady_clock::now();
    pool.abandon();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_FALSE(slept.get_future().get());  // woken early
    EXPECT_EQ(ran.load(), 0);
}

TEST(worker_pool, a_throwing_job_does_not_take_the_worker_down) {
    worker_pool pool(1, 4);
    ASSERT_TRUE(pool.try_submit([] { throw std::runtime_error("boom"); }));
    std::promise<void> after;
    ASSERT_TRUE(pool.try_submit([&] { after.set_value(); }));
    EXPECT_EQ(after.get_future().wait_for(2s), std::future_status::ready);
}
