#include "response_reader.hpp"

#include <strings.h>
#include <algorithm>
#include <charconv>

namespace bulkget {

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Responses that never have a body, whatever their headers say (RFC 9112 §6.3).
bool bodiless(int status) {
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

}  // namespace

response_reader::result response_reader::feed(std::string_view bytes) {
    if (!in_body_) return parse_head(bytes);
    size_t take = size_t(std::min<uint64_t>(body_left_, bytes.size()));
    body_left_ -= take;
    if (body_left_ > 0) return {outcome::need_more, take};
    in_body_ = false;
    return {outcome::complete, take};
}

response_reader::result response_reader::parse_head(std::string_view bytes) {
    // The blank line may straddle two reads: search from just before the new bytes.
    size_t search_from = head_.size() < 3 ? 0 : head_.size() - 3;
    size_t previous = head_.size();
    head_.append(bytes.substr(0, std::min(bytes.size(), max_head_bytes + 4 - head_.size())));
    size_t end = head_.find("\r\n\r\n", search_from);
    if (end == std::string::npos) {
        if (head_.size() > max_head_bytes) {
            reject("response head over 16 KB");
            return {outcome::error, bytes.size()};
        }
        return {outcome::need_more, bytes.size()};
    }
    size_t head_length = end + 4;
    head_.resize(head_length);
    size_t consumed = head_length - previous;
    if (!interpret_head()) return {outcome::error, consumed};
    head_.clear();
    if (body_left_ == 0) return {outcome::complete, consumed};
    in_body_ = true;
    result rest = feed(bytes.substr(consumed));
    return {rest.what, consumed + rest.consumed};
}

bool response_reader::interpret_head() {
    std::string_view head(head_);
    // "HTTP/1.1 200 OK"
    if (head.size() < 12 || head.substr(0, 7) != "HTTP/1." || head[8] != ' ') {
        return reject("not an HTTP/1.x status line");
    }
    status_ = 0;
    auto [end, code] = std::from_chars(head.data() + 9, head.data() + 12, status_);
    if (code != std::errc() || end != head.data() + 12) {
        return reject("bad status code");
    }
    close_after_ = head[7] == '0';  // HTTP/1.0 closes unless told otherwise
    bool has_length = false;
    uint64_t length = 0;
    size_t line_start = head.find("\r\n") + 2;
    while (line_start < head.size() - 2) {
        size_t line_end = head.find("\r\n", line_start);
        std::string_view line = head.substr(line_start, line_end - line_start);
        line_start = line_end + 2;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view name = line.substr(0, colon);
        std::string_view value = trim(line.substr(colon + 1));
        if (equals_ignoring_case(name, "content-length")) {
            auto [at, error] = std::from_chars(value.data(), value.data() + value.size(), length);
            if (error != std::errc() || at != value.data() + value.size()) {
                return reject("bad Content-Length");
            }
            has_length = true;
        } else if (equals_ignoring_case(name, "transfer-encoding")) {
            return reject("Transfer-Encoding is not supported (bulkget needs Content-Length)");
        } else if (equals_ignoring_case(name, "connection")) {
            close_after_ = equals_ignoring_case(value, "close");
        }
    }
    if (bodiless(status_)) {
        body_left_ = 0;
    } else if (has_length) {
        body_left_ = length;
    } else {
        return reject("response without Content-Length");
    }
    return true;
}

bool response_reader::reject(std::string text) {
    error_ = std::move(text);
    return false;
}

}  // namespace bulkget
