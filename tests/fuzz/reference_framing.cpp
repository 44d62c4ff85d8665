#include "reference_framing.hpp"

#include <cstdint>
#include <optional>

namespace ringhttpd::fuzz {
namespace {

using kind = frame::kind;

bool tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool lower_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
        if (c != b[i]) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// A cursor over the input; every read either succeeds, runs out (incomplete) or fails.
struct reader {
    std::string_view in;
    size_t pos = 0;
    kind failure = kind::invalid;

    bool at_end() const { return pos >= in.size(); }
    // The line from pos up to CRLF (or a bare LF, with `bare_lf`), which it consumes; nullopt
    // when there is none yet (incomplete) or a CR or LF stands alone (invalid).
    std::optional<std::string_view> line(bool bare_lf = false) {
        for (size_t i = pos; i < in.size(); ++i) {
            if (in[i] == '\n') {
                if (!bare_lf) return fail(kind::invalid);
                std::string_view l = in.substr(pos, i - pos);
                pos = i + 1;
                return l;
            }
            if (in[i] != '\r') continue;
            if (i + 1 >= in.size()) return fail(kind::incomplete);
            if (in[i + 1] != '\n') return fail(kind::invalid);
            std::string_view l = in.substr(pos, i - pos);
            pos = i + 2;
            return l;
        }
        return fail(kind::incomplete);
    }
    std::nullopt_t fail(kind k) {
        failure = k;
        return std::nullopt;
    }
};

bool valid_request_line(std::string_view l) {
    size_t sp1 = l.find(' ');
    if (sp1 == 0 || sp1 == std::string_view::npos) return false;
    for (char c : l.substr(0, sp1))
        if (!tchar(c)) return false;
    size_t sp2 = l.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return false;
    for (char c : l.substr(sp1 + 1, sp2 - sp1 - 1))
        if (c < 0x21 || c > 0x7e) return false;
    std::string_view v = l.substr(sp2 + 1);
    return v.size() == 8 && v.substr(0, 5) == "HTTP/" && v[5] >= '0' && v[5] <= '9' &&
           v[6] == '.' && v[7] >= '0' && v[7] <= '9';
}

// name ":" OWS value OWS, value bytes VCHAR / obs-text / SP / HTAB. False if malformed.
bool split_field(std::string_view l, std::string_view& name, std::string_view& value) {
    size_t colon = l.find(':');
    if (colon == 0 || colon == std::string_view::npos) return false;
    name = l.substr(0, colon);
    for (char c : name)
        if (!tchar(c)) return false;
    value = trim(l.substr(colon + 1));
    for (unsigned char c : l.substr(colon + 1))
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    return true;
}

// Reads field lines up to the empty line. Fills the framing fields when asked.
bool read_fields(reader& r, std::optional<std::string_view>* content_length,
                 std::optional<std::string_view>* transfer_encoding, bool& duplicate) {
    for (bool first = true;; first = false) {
        // A bare LF may end the section (RFC 9112 §2.2 lets a recipient take LF for CRLF;
        // llhttp does so here and at the end of the request line, nowhere else).
        if (!r.at_end() && r.in[r.pos] == '\n') {
            ++r.pos;
            return true;
        }
        auto l = r.line();
        if (!l) return false;
        if (l->empty()) return true;
        if (l->front() == ' ' || l->front() == '\t') {
            // obs-fold: the RFC lets a recipient reject it or replace it with SP, so a
            // continuation line is part of the section either way (the parser rejects folds,
            // but joins a continuation of only whitespace). Before any field it is invalid.
            if (first) return r.fail(kind::invalid), false;
            for (unsigned char c : *l)
                if ((c < 0x20 && c != '\t') || c == 0x7f) return r.fail(kind::invalid), false;
            continue;
        }
        std::string_view name, value;
        if (!split_field(*l, name, value)) return r.fail(kind::invalid), false;
        if (content_length && lower_equal(name, "content-length")) {
            duplicate = duplicate || content_length->has_value();
            *content_length = value;
        } else if (transfer_encoding && lower_equal(name, "transfer-encoding")) {
            duplicate = duplicate || transfer_encoding->has_value();
            *transfer_encoding = value;
        }
    }
}

bool last_coding_is_chunked(std::string_view te) {
    size_t comma = te.rfind(',');
    return lower_equal(trim(comma == std::string_view::npos ? te : te.substr(comma + 1)),
                       "chunked");
}

// The chunked body: chunk-size [ext] CRLF data CRLF ... "0" [ext] CRLF trailers CRLF.
bool read_chunked(reader& r) {
    for (;;) {
        auto l = r.line();
        if (!l) return false;
        size_t digits = 0;
        uint64_t size = 0;
        for (; digits < l->size(); ++digits) {
            char c = (*l)[digits];
            int v = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (v < 0) break;
            if (size > (UINT64_MAX >> 4)) return r.fail(kind::invalid), false;
            size = size * 16 + uint64_t(v);
        }
        // After the size only an extension may follow (its inside is not framing).
        if (digits == 0 || (digits < l->size() && (*l)[digits] != ';'))
            return r.fail(kind::invalid), false;
        if (size == 0) {
            bool unused = false;
            return read_fields(r, nullptr, nullptr, unused);
        }
        if (r.in.size() - r.pos < size) return r.fail(kind::incomplete), false;
        r.pos += size;
        auto end = r.line();
        if (!end) return false;
        if (!end->empty()) return r.fail(kind::invalid), false;
    }
}

}  // namespace

frame reference_frame(std::string_view in) {
    reader r{in};
    // Empty lines before the request line are skipped (RFC 9112 §2.2).
    while (!r.at_end() && (in[r.pos] == '\r' || in[r.pos] == '\n')) ++r.pos;
    if (r.at_end()) return {kind::incomplete, 0};
    auto request_line = r.line(true);
    if (!request_line) return {r.failure, 0};
    if (!valid_request_line(*request_line)) return {kind::invalid, 0};
    const bool http10 = request_line->substr(request_line->size() - 3) == "1.0";

    std::optional<std::string_view> content_length, transfer_encoding;
    bool duplicate = false;
    if (!read_fields(r, &content_length, &transfer_encoding, duplicate)) return {r.failure, 0};
    if (duplicate || (content_length && transfer_encoding)) return {kind::invalid, 0};
    if (transfer_encoding) {
        if (http10 || !last_coding_is_chunked(*transfer_encoding)) return {kind::invalid, 0};
        if (!read_chunked(r)) return {r.failure, 0};
        return {kind::complete, r.pos};
    }
    uint64_t length = 0;
    if (content_length) {
        // 1*DIGIT (RFC 9110 §8.6): leading zeros are allowed and do not count towards the
        // 18 significant digits kept here to stay clear of overflow.
        std::string_view digits = *content_length;
        if (digits.empty()) return {kind::invalid, 0};
        while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
        if (digits.size() > 18) return {kind::invalid, 0};
        for (char c : digits) {
            if (c < '0' || c > '9') return {kind::invalid, 0};
            length = length * 10 + uint64_t(c - '0');
        }
    }
    if (in.size() - r.pos < length) return {kind::incomplete, 0};
    return {kind::complete, r.pos + size_t(length)};
}

}  // namespace ringhttpd::fuzz
