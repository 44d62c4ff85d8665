#include "io/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>

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

TEST(worker_pool, abandon_drops_queued_jobs_and_cuts_sleeps_short) {
    worker_pool pool(1, 8);
    std::promise<bool> slept;
    std::promise<void> started;
    ASSERT_TRUE(pool.try_submit([&] {
        started.set_value();
        slept.set_value(worker_pool::sleep_unless_stopping(10s));
    }));
    std::atomic<int> ran{0};
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(pool.try_submit([&] { ++ran; }));
    // The one worker holds the sleeping job, so the other four wait in the queue. (An abandon
    // that comes before the sleep begins still cuts it short: the sleep checks first.)
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
