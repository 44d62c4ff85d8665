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

namespace {

// The head as sent, less its Date line (the clock may tick between two responses).
std::string head_without_date(io::output_queue& out) {
    std::string bytes = out.front().bytes;
    const size_t date = bytes.find("Date: ");
    return bytes.erase(date, bytes.find("\r\n", date) + 2 - date);
}

}  // namespace

TEST(response_writer, prebuilt_fields_send_the_head_the_fields_they_were_made_from_would) {
    // A cached file's answer is prebuilt once; its head must be the one built per response,
    // with what is added afterwards (a location's add_header) still last, and HEAD alike.
    const auto body = std::make_shared<const std::string>("<p>hi</p>");
    auto built = [&] {
        response res;
        res.content_type = "text/html; charset=utf-8";
        res.headers = {{"ETag", "\"1-9\""}, {"Accept-Ranges", "bytes"}};
        res.body = body;
        return res;
    };
    auto fields = std::make_shared<std::string>();
    http::append_response_fields(*fields, built());
    for (const bool head : {false, true}) {
        response plain = built(), prebuilt;
        prebuilt.prebuilt_fields = fields;
        prebuilt.body = body;
        plain.headers.emplace_back("X-Site", "a");
        prebuilt.headers.emplace_back("X-Site", "a");
        io::output_queue a, b;
        const http::response_framing framing{.head_request = head};
        EXPECT_EQ(http::write_response(a, std::move(plain), framing),
                  http::write_response(b, std::move(prebuilt), framing));
        EXPECT_EQ(head_without_date(a), head_without_date(b));
        EXPECT_NE(head_without_date(b).find("Accept-Ranges: bytes\r\nX-Site: a\r\n"),
                  std::string::npos);
    }
}
