// perf/bulkget's response reader: where each response ends, however the bytes arrive, and a
// clear refusal of what it cannot follow (a benchmark that miscounted would report nonsense).

#include "response_reader.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using bulkget::response_reader;
using outcome = response_reader::outcome;

const std::string two_answers =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"
    "HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\n\r\nno!";

TEST(BulkgetResponseReader, StopsAtTheEndOfEachResponse) {
    response_reader reader;
    auto first = reader.feed(two_answers);
    EXPECT_EQ(first.what, outcome::complete);
    EXPECT_EQ(reader.status(), 200);
    std::string rest = two_answers.substr(first.consumed);
    EXPECT_EQ(rest.substr(0, 12), "HTTP/1.1 404");
    auto second = reader.feed(rest);
    EXPECT_EQ(second.what, outcome::complete);
    EXPECT_EQ(second.consumed, rest.size());
    EXPECT_EQ(reader.status(), 404);
}

TEST(BulkgetResponseReader, FollowsBytesArrivingOneAtATime) {
    response_reader reader;
    int completed = 0;
    for (char byte : two_answers) {
        auto r = reader.feed(std::string_view(&byte, 1));
        ASSERT_NE(r.what, outcome::error) << reader.error_text();
        EXPECT_EQ(r.consumed, 1u);
        if (r.what == outcome::complete) ++completed;
    }
    EXPECT_EQ(completed, 2);
    EXPECT_EQ(reader.status(), 404);
}

TEST(BulkgetResponseReader, CountsALargeBodyWithoutKeepingIt) {
    response_reader reader;
    std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n";
    EXPECT_EQ(reader.feed(head).what, outcome::need_more);
    std::string chunk(262144, 'x');
    for (int i = 0; i < 3; ++i) EXPECT_EQ(reader.feed(chunk).what, outcome::need_more);
    auto last = reader.feed(chunk + "HTTP/1.1");
    EXPECT_EQ(last.what, outcome::complete);
    EXPECT_EQ(last.consumed, chunk.size());
}

TEST(BulkgetResponseReader, BodilessStatusesEndAtTheHead) {
    response_reader reader;
    auto r = reader.feed("HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n");
    EXPECT_EQ(r.what, outcome::complete);
    EXPECT_EQ(reader.status(), 304);
}

TEST(BulkgetResponseReader, SeesConnectionClose) {
    response_reader reader;
    reader.feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    EXPECT_TRUE(reader.close_after());
    reader.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    EXPECT_FALSE(reader.close_after());
    reader.feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
    EXPECT_TRUE(reader.close_after());
}

TEST(BulkgetResponseReader, RefusesWhatItCannotFollow) {
    const char* refused[] = {
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n",  // no length
        "HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n",        "SSH-2.0-OpenSSH_9.2\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
    };
    for (const char* input : refused) {
        response_reader reader;
        EXPECT_EQ(reader.feed(input).what, outcome::error) << input;
        EXPECT_FALSE(reader.error_text().empty());
    }
    response_reader reader;
    std::string endless_head = "HTTP/1.1 200 OK\r\n" + std::string(20000, 'a');
    EXPECT_EQ(reader.feed(endless_head).what, outcome::error);
}

}  // namespace
