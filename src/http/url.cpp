#include "http/url.hpp"

#include <vector>

#include "http/text.hpp"

namespace ringhttpd::http {

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
    std::string out;
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return std::nullopt;
            int hi = hex_digit_value(in[i + 1]), lo = hex_digit_value(in[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += char(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

std::string percent_encode_path(std::string_view path) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(path.size());
    for (unsigned char c : path) {
        if (is_unreserved(c) || c == '/') {
            out += char(c);
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 15];
        }
    }
    return out;
}

std::optional<std::string> find_query_param(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        size_t eq = pair.find('=');
        std::string_view key = pair.substr(0, eq);
        std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
        auto decoded_key = percent_decode(key, true);
        if (decoded_key.value_or(std::string(key)) != name) continue;
        return percent_decode(value, true).value_or(std::string(value));
    }
    return std::nullopt;
}

std::optional<std::string> normalize_path(std::string_view path) {
    // Nearly every path is normal already: no empty, "." or ".." segment (a segment that merely
    // starts with a dot takes the long way too). Then it only loses its leading slash, and the
    // segment list, an allocation per request, is not needed.
    if (path.starts_with('/') && path.find("//") == std::string_view::npos &&
        path.find("/.") == std::string_view::npos)
        return std::string(path.substr(1));
    std::vector<std::string_view> segments;
    const bool trailing_slash = !path.empty() && path.back() == '/';
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t slash = path.find('/', pos);
        if (slash == std::string_view::npos) slash = path.size();
        std::string_view seg = path.substr(pos, slash - pos);
        pos = slash + 1;
        if (seg.empty() || seg == ".") continue;
        if (seg == "..") {
            if (segments.empty()) return std::nullopt;
            segments.pop_back();
            continue;
        }
        segments.push_back(seg);
    }
    std::string out;
    for (size_t i = 0; i < segments.size(); ++i) {
        if (i) out += '/';
        out += segments[i];
    }
    if (trailing_slash && !out.empty()) out += '/';
    return out;
}

}  // namespace ringhttpd::http
