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

// Reuse of sent segments: a reused one starts as a new one would.
TEST(output_queue, a_sent_segment_is_reused_empty_with_its_room) {
    io::output_queue out;
    out.buffer().assign(1000, 'a');
    out.front().sent = 400;
    out.pop_front();
    const std::string& next = out.buffer();
    EXPECT_TRUE(next.empty());
    EXPECT_GE(next.capacity(), size_t(1000));  // the popped buffer, not a new one
    EXPECT_EQ(out.front().sent, size_t(0));
    EXPECT_EQ(out.front().unsent(), size_t(0));
}

TEST(output_queue, a_reused_segment_is_neither_a_record_nor_a_file) {
    io::output_queue out;
    out.push_record(22, "handshake");
    out.pop_front();
    out.push_file(io::file_range{nullptr, 0, 10});
    out.pop_front();
    // The last popped is reused first: the file's segment, then the record's.
    io::output_queue first, second;
    first.buffer().append("answer");
    second.buffer().append("answer");
    for (io::output_queue* q : {&first, &second}) {
        EXPECT_EQ(q->front().record_type, 0);
        EXPECT_FALSE(q->front().file.has_value());
        EXPECT_EQ(q->front().bytes, "answer");
    }
}

TEST(output_queue, a_large_buffer_is_freed_not_kept) {
    io::output_queue out;
    out.buffer().assign(256 * 1024, 'a');
    out.pop_front();
    EXPECT_LE(out.buffer().capacity(), size_t(16 * 1024));
}
