#include "http/response_writer.hpp"

#include <charconv>

#include "http/date_cache.hpp"
#include "http/status.hpp"

namespace ringhttpd::http {
namespace {

void append_number(std::string& out, uint64_t n) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, end);
}

void append_status_line(std::string& out, int status) {
    if (const std::string_view line = status_line(status); !line.empty()) {
        out.append(line);
        return;
    }
    out.append("HTTP/1.1 ");
    append_number(out, uint64_t(status));
    out += ' ';
    out.append(reason_phrase(status));
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
}

io::file_range as_file_range(file_body&& file) {
    return {std::move(file.fd), file.offset, file.length};
}

}  // namespace

void append_response_fields(std::string& out, const response& res) {
    if (res.prebuilt_fields) {
        out.append(*res.prebuilt_fields);
    } else {
        if (!res.content_type.empty()) append_header(out, "Content-Type", res.content_type);
        if (!status_has_no_body(res.status)) {
            out.append("Content-Length: ");
            append_number(out, res.content_length());
            out.append("\r\n");
        }
    }
    for (const auto& [name, value] : res.headers) append_header(out, name, value);
}

uint64_t write_response(io::output_queue& out, response&& res, const response_framing& framing) {
    std::string& buf = out.buffer();
    // One allocation for the head and an in-memory body, instead of growing step by step. Only
    // bytes in memory count: file ranges (multipart ones too) never pass through this buffer.
    const std::string_view body_in_memory = res.body_text();
    size_t estimate = 256 + res.content_type.size() + body_in_memory.size();
    if (res.prebuilt_fields) estimate += res.prebuilt_fields->size();
    for (const auto& [name, value] : res.headers) estimate += name.size() + value.size() + 4;
    buf.reserve(buf.size() + estimate);
    append_status_line(buf, res.status);
    // The version only with --server-tokens on: by default it is not advertised to scanners.
    buf.append(framing.server_tokens ? "\r\nServer: ringhttpd/" RINGHTTPD_VERSION "\r\nDate: "
                                     : "\r\nServer: ringhttpd\r\nDate: ");
    buf.append(http_date_now());
    buf.append("\r\n");
    const bool bodiless = status_has_no_body(res.status);
    const uint64_t length = bodiless ? 0 : res.content_length();
    append_response_fields(buf, res);
    if (framing.security_headers) {
        // X-XSS-Protection is deliberately absent: browsers dropped it, and it can add XSS.
        buf.append(
            "X-Content-Type-Options: nosniff\r\nX-Frame-Options: SAMEORIGIN\r\n"
            "Referrer-Policy: strict-origin-when-cross-origin\r\n");
    }
    if (!framing.keep_alive) {
        buf.append("Connection: close\r\n");
    } else if (framing.http10) {
        buf.append("Connection: keep-alive\r\n");
    }
    buf.append("\r\n");
    if (framing.head_request || bodiless) return 0;
    if (!body_in_memory.empty()) {
        buf.append(body_in_memory);
    } else if (auto* file = std::get_if<file_body>(&res.body)) {
        out.push_file(as_file_range(std::move(*file)));
    } else if (auto* parts = std::get_if<std::vector<body_part>>(&res.body)) {
        for (body_part& part : *parts) {
            if (auto* piece = std::get_if<file_body>(&part)) {
                out.push_file(as_file_range(std::move(*piece)));
            } else {
                // Not `buf`: a file may have been queued since.
                out.buffer().append(std::get<std::string>(part));
            }
        }
    }
    return length;
}

void write_continue(io::output_queue& out) {
    out.buffer().append("HTTP/1.1 100 Continue\r\n\r\n");
}

}  // namespace ringhttpd::http
