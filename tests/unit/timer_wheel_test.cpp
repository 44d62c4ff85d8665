#include "io/timer_wheel.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using ringhttpd::io::timer_node;
using ringhttpd::io::timer_wheel;

TEST(timer_wheel, fires_at_or_after_the_deadline_never_before) {
    timer_wheel wheel(1000);
    timer_node a, b;
    wheel.schedule(a, 1025);
    wheel.schedule(b, 1100);
    EXPECT_TRUE(wheel.expire(1024).empty());
    auto fired = wheel.expire(1030);
    ASSERT_EQ(fired.size(), 1u);
    EXPECT_EQ(fired[0], &a);
    EXPECT_FALSE(a.scheduled());
    EXPECT_TRUE(wheel.expire(1099).empty());
    EXPECT_EQ(wheel.expire(1100).size(), 1u);
    EXPECT_EQ(wheel.size(), 0u);
}

TEST(timer_wheel, rescheduling_moves_and_cancel_removes) {
    timer_wheel wheel(0);
    timer_node a;
    wheel.schedule(a, 50);
    wheel.schedule(a, 500);  // moved, not duplicated
    EXPECT_EQ(wheel.size(), 1u);
    EXPECT_TRUE(wheel.expire(100).empty());
    wheel.cancel(a);
    EXPECT_EQ(wheel.size(), 0u);
    EXPECT_TRUE(wheel.expire(1000).empty());
}

TEST(timer_wheel, deadlines_beyond_one_lap_wait_for_their_lap) {
    timer_wheel wheel(0);
    const uint64_t lap = timer_wheel::tick_ms * timer_wheel::bucket_count;
    timer_node far, near;
    wheel.schedule(far, lap + 30);
    wheel.schedule(near, 30);  // the same bucket, one lap earlier
    auto fired = wheel.expire(40);
    ASSERT_EQ(fired.size(), 1u);
    EXPECT_EQ(fired[0], &near);
    for (uint64_t t = 1000; t < lap; t += 1000) EXPECT_TRUE(wheel.expire(t).empty()) << t;
    fired = wheel.expire(lap + 30);
    ASSERT_EQ(fired.size(), 1u);
    EXPECT_EQ(fired[0], &far);
}

TEST(timer_wheel, a_deadline_already_past_fires_on_the_next_expiry) {
    timer_wheel wheel(0);
    EXPECT_TRUE(wheel.expire(5000).empty());
    timer_node late;
    wheel.schedule(late, 100);
    EXPECT_EQ(wheel.expire(5010).size(), 1u);
}

TEST(timer_wheel, a_long_stall_expires_everything_due) {
    timer_wheel wheel(0);
    std::vector<timer_node> nodes(100);
    for (size_t i = 0; i < nodes.size(); ++i) wheel.schedule(nodes[i], 10 + i * 997);
    auto fired = wheel.expire(1'000'000);  // far more than a lap later
    EXPECT_EQ(fired.size(), nodes.size());
    EXPECT_EQ(wheel.size(), 0u);
}
