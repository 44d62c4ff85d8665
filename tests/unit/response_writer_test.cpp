// Serialising responses into the output queue: shared bodies and file ranges.

#include "http/response_writer.hpp"

#include <gtest/gtest.h>

using namespace ringhttpd;

TEST(response_writer, a_shared_body_is_sent_and_counted) {
    io::output_queue out;
    response res;
    res.body = std::make_shared<const std::string>("cached bytes");
    http::write_response(out, std::move(res), {});
    const std::string& bytes = out.front().bytes;
    EXPECT_NE(bytes.find("Content-Length: 12\r\n"), std::string::npos);
    EXPECT_EQ(bytes.substr(bytes.size() - 12), "cached bytes");
}

TEST(response_writer, huge_multipart_file_ranges_reserve_no_memory_for_themselves) {
    // Two ranges of a 1 TiB file: only the part heads are in memory; a buffer sized by the
    // Content-Length would be a terabyte.
    io::output_queue out;
    response res;
    res.status = 206;
    const auto fd = std::make_shared<const unique_fd>();
    res.body = std::vector<body_part>{"--b\r\n\r\n", file_body{fd, 0, uint64_t(1) << 40},
                                      "\r\n--b\r\n\r\n", file_body{fd, 1, uint64_t(1) << 40}};
    http::write_response(out, std::move(res), {});
    EXPECT_LT(out.front().bytes.capacity(), size_t(64 * 1024));
    EXPECT_NE(out.front().bytes.find("Content-Length: 2199023255568\r\n"), std::string::npos);
}
