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

TEST(output_queue, a_tls_record_is_a_segment_of_its_own) {
    io::output_queue q;
    q.buffer() += "data";
    q.push_record(21, std::string("\x01\x00", 2));
    q.buffer() += "more";
    EXPECT_EQ(q.front().bytes, "data");
    EXPECT_EQ(q.front().record_type, 0);
    q.pop_front();
    EXPECT_EQ(q.front().bytes, std::string("\x01\x00", 2));
    EXPECT_EQ(q.front().record_type, 21);
    q.pop_front();
    EXPECT_EQ(q.front().bytes, "more");
    EXPECT_EQ(q.front().record_type, 0);
}

TEST(output_queue, take_all_moves_every_segment_in_order_as_it_is) {
    io::output_queue to, from;
    to.buffer() += "first";
    from.buffer() += "half sent";
    from.front().sent = 5;
    from.push_file(io::file_range{std::make_shared<unique_fd>(), 0, 100});
    to.take_all(from);
    EXPECT_TRUE(from.empty());
    EXPECT_EQ(to.front().bytes, "first");
    to.pop_front();
    EXPECT_EQ(to.front().unsent(), 4u);
    to.pop_front();
    EXPECT_TRUE(to.front().file.has_value());
    to.pop_front();
    EXPECT_TRUE(to.empty());
}
