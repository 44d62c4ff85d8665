#include "io/output_queue.hpp"

#include <gtest/gtest.h>

using namespace ringhttpd;

TEST(output_queue, appends_coalesce_into_one_segment) {
    io::output_queue q;
    q.buffer() += "abc";
    q.buffer() += "def";
    ASSERT_FALSE(q.empty());
    EXPECT_EQ(q.front().bytes, "abcdef");
    EXPECT_EQ(q.pending_bytes(), 6u);
}

TEST(output_queue, never_appends_to_bytes_being_sent) {
    io::output_queue q;
    q.buffer() += "in flight";
    q.set_front_busy(true);
    const char* sending = q.front().bytes.data();
    q.buffer() += "later";
    EXPECT_EQ(q.front().bytes, "in flight");
    EXPECT_EQ(q.front().bytes.data(), sending);
    q.pop_front();
    EXPECT_EQ(q.front().bytes, "later");
}

TEST(output_queue, a_file_segment_splits_the_bytes_around_it) {
    io::output_queue q;
    q.buffer() += "head";
    q.push_file(io::file_range{std::make_shared<unique_fd>(), 0, 100});
    q.buffer() += "next";
    EXPECT_TRUE(q.has_file());
    EXPECT_EQ(q.front().bytes, "head");
    q.pop_front();
    EXPECT_TRUE(q.front().file.has_value());
    q.pop_front();
    EXPECT_EQ(q.front().bytes, "next");
    EXPECT_FALSE(q.has_file());
}
