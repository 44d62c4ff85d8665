#include "handlers/file_response.hpp"

#include <atomic>
#include <ctime>
#include <string>

#include <fmt/format.h>

#include "handlers/byte_ranges.hpp"
#include "handlers/validators.hpp"
#include "http/date_cache.hpp"
#include "http/response_writer.hpp"

namespace ringhttpd::handlers {
namespace {

// nginx's `expires max`.
constexpr int64_t expires_max_s = 315'360'000;

void add_caching_headers(response& res, const file_response_options& options) {
    if (!options.expires_s) return;
    const int64_t seconds = *options.expires_s;
    char date[32];
    if (seconds < 0) {
        res.headers.emplace_back("Expires", "Thu, 01 Jan 1970 00:00:01 GMT");
        res.headers.emplace_back("Cache-Control", "no-cache");
        return;
    }
    res.headers.emplace_back(
        "Expires", std::string(http::format_http_date(std::time(nullptr) + seconds, date)));
    res.headers.emplace_back("Cache-Control",
                             seconds == 0
                                 ? std::string("no-cache")
                                 : "max-age=" + std::to_string(std::min(seconds, expires_max_s)));
}

// The whole of `bytes` as the body: the open file, or the cached content shared (not copied).
void set_whole_body(response& res, const file_cache::entry& bytes) {
    if (bytes->fd) {
        res.body = file_body{bytes->fd, 0, bytes->size()};
    } else {
        res.body = std::shared_ptr<const std::string>(bytes, &bytes->content);
    }
}

body_part slice(const cached_file& bytes, uint64_t first, uint64_t length) {
    if (bytes.fd) return file_body{bytes.fd, off_t(first), length};
    return bytes.content.substr(first, length);
}

void set_body(response& res, body_part part) {
    std::visit([&res](auto&& piece) { res.body = std::move(piece); }, std::move(part));
}

std::string content_range(const byte_range& r, uint64_t size) {
    return fmt::format("bytes {}-{}/{}", r.first, r.last, size);
}

// A boundary that cannot occur in the parts' headers and is vanishingly unlikely in the file.
std::string next_boundary() {
    static std::atomic<uint64_t> counter{0};
    return fmt::format("{:016x}{:08x}", uint64_t(std::time(nullptr)) ^ 0x5ca1ab1e5eedULL,
                       uint32_t(++counter));
}

void set_ranges(response& res, const cached_file& bytes, const std::vector<byte_range>& ranges,
                std::string_view content_type) {
    const uint64_t size = bytes.size();
    res.status = 206;
    if (ranges.size() == 1) {
        res.headers.emplace_back("Content-Range", content_range(ranges[0], size));
        set_body(res, slice(bytes, ranges[0].first, ranges[0].length()));
        return;
    }
    const std::string boundary = next_boundary();
    res.content_type = "multipart/byteranges; boundary=" + boundary;
    std::vector<body_part> parts;
    for (const byte_range& r : ranges) {
        std::string head = "\r\n--" + boundary + "\r\n";
        if (!content_type.empty()) head += "Content-Type: " + std::string(content_type) + "\r\n";
        head += "Content-Range: " + content_range(r, size) + "\r\n\r\n";
        parts.emplace_back(std::move(head));
        parts.push_back(slice(bytes, r.first, r.length()));
    }
    parts.emplace_back("\r\n--" + boundary + "--\r\n");
    res.body = std::move(parts);
}

// What an error answer keeps of a file's headers: the validators and Vary, not Cache-Control
// and Expires, which (like nginx's `expires`) are for successful answers only.
header_list without_caching_headers(header_list headers) {
    std::erase_if(headers,
                  [](const auto& h) { return h.first == "Cache-Control" || h.first == "Expires"; });
    return headers;
}

// What every answer about a file says of it: its validators, caching headers and Vary.
response with_file_headers(int status, const cached_file& original, const cached_file& bytes,
                           const file_response_options& options) {
    response res;
    res.status = status;
    res.headers.reserve(8);  // the most a file response adds: one allocation, no regrowth
    res.headers.emplace_back("ETag", bytes.etag);
    res.headers.emplace_back("Last-Modified", original.last_modified);
    add_caching_headers(res, options);
    if (options.vary) res.headers.emplace_back("Vary", "Accept-Encoding");
    return res;
}

// 200 with the whole of `bytes`, in `encoding`: what nearly every request for a file gets.
response whole_file(const cached_file& original, const file_cache::entry& shared_bytes,
                    coding encoding, const file_response_options& options) {
    response res = with_file_headers(200, original, *shared_bytes, options);
    res.content_type = std::string(original.content_type);
    if (encoding != coding::identity) {
        res.headers.emplace_back("Content-Encoding", std::string(coding_name(encoding)));
    } else {
        res.headers.emplace_back("Accept-Ranges", "bytes");
    }
    set_whole_body(res, shared_bytes);
    return res;
}

}  // namespace

std::string make_prebuilt_fields(const file_cache::entry& file,
                                 const file_response_options& options) {
    // An Expires date counted from now changes from one response to the next.
    if (options.expires_s && *options.expires_s >= 0) return {};
    std::string fields;
    http::append_response_fields(fields, whole_file(*file, file, coding::identity, options));
    return fields;
}

response file_response(const request& req, const cached_file& original,
                       const file_cache::entry& shared_bytes, coding encoding,
                       const file_response_options& options) {
    const cached_file& bytes = *shared_bytes;
    switch (evaluate_preconditions(req, bytes.etag, original.modified)) {
        case precondition::not_modified:
            // The validators and caching headers only: no body, no type.
            return with_file_headers(304, original, bytes, options);
        case precondition::failed: {
            response failed = response::error(412);
            failed.headers = without_caching_headers(
                std::move(with_file_headers(412, original, bytes, options).headers));
            return failed;
        }
        case precondition::proceed:
            break;
    }
    // Range is defined for GET only; any other method ignores it (RFC 9110 §14.2), and a
    // compressed copy is never sliced. An empty file has no range a 206 could express: a suffix
    // range of it is the whole (empty) file, and the server may ignore Range there, so it gets 200.
    const bool identity = encoding == coding::identity;
    auto range = identity && req.method == http_method::get && bytes.size() > 0
                     ? req.header("Range")
                     : std::nullopt;
    if (identity && !range && !bytes.prebuilt_fields.empty()) {
        // The usual answer, its head made when the file was cached: nothing is built here.
        response res;
        res.prebuilt_fields =
            std::shared_ptr<const std::string>(shared_bytes, &bytes.prebuilt_fields);
        set_whole_body(res, shared_bytes);
        return res;
    }
    response res = whole_file(original, shared_bytes, encoding, options);
    if (range && if_range_allows(req, bytes.etag, original.modified)) {
        range_request ranges = parse_range(*range, bytes.size());
        if (ranges.result == range_request::kind::unsatisfiable) {
            response refused = response::error(416);
            refused.headers = without_caching_headers(std::move(res.headers));
            refused.headers.emplace_back("Content-Range", fmt::format("bytes */{}", bytes.size()));
            return refused;
        }
        if (ranges.result == range_request::kind::satisfiable)
            set_ranges(res, bytes, ranges.ranges, original.content_type);
    }
    return res;
}

}  // namespace ringhttpd::handlers
