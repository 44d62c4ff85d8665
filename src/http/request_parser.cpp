#include "http/request_parser.hpp"

#include "http/text.hpp"
#include "http/url.hpp"

namespace ringhttpd::http {
namespace {

request_parser& self(llhttp_t* p) {
    return *static_cast<request_parser*>(p->data);
}

// "HTTP/" followed by digit.digit: a well-formed version we do not speak (505), as opposed to
// garbage where a version should be (400).
bool looks_like_version(std::string_view v) {
    return v.size() == 3 && v[0] >= '0' && v[0] <= '9' && v[1] == '.' && v[2] >= '0' && v[2] <= '9';
}

// RFC 9112 §3.2: an HTTP/1.1 request carries exactly one Host header; several, or none, are a
// classic way to make a proxy and a server disagree about the target. Returns 0 or 400.
int check_host(const request& req, int http_minor) {
    int hosts = 0;
    for (const auto& [name, value] : req.headers) hosts += iequals(name, "Host");
    if (hosts > 1 || (hosts == 0 && http_minor >= 1)) return 400;
    return 0;
}

// Transfer-Encoding is exactly "chunked" (case-insensitive, surrounding spaces allowed).
bool only_chunked(const request& req) {
    int count = 0;
    for (const auto& [name, value] : req.headers) {
        if (!iequals(name, "Transfer-Encoding")) continue;
        if (++count > 1 || !iequals(trim_ows(value), "chunked")) return false;
    }
    return true;
}

}  // namespace

request_parser::request_parser(const parser_limits& limits) : limits_(limits) {
    // One callback table for every parser: connections do not each carry a copy.
    static const llhttp_settings_t settings = [] {
        llhttp_settings_t s;
        llhttp_settings_init(&s);
        s.on_message_begin = on_message_begin;
        s.on_url = on_url;
        s.on_version = on_version;
        s.on_header_field = on_header_field;
        s.on_header_value = on_header_value;
        s.on_header_value_complete = on_header_value_complete;
        s.on_headers_complete = on_headers_complete;
        s.on_body = on_body;
        s.on_message_complete = on_message_complete;
        return s;
    }();
    llhttp_init(&parser_, HTTP_REQUEST, &settings);  // strict: no lenient flags are set
    parser_.data = this;
}

request_parser::result request_parser::feed(std::string_view data, size_t& consumed) {
    consumed = 0;
    if (error_status_) return result::error;
    feed_start_ = data.data();
    llhttp_errno_t err = llhttp_execute(&parser_, data.data(), data.size());
    if (!data.empty()) last_byte_fed_ = data.back();
    if (err == HPE_OK) {
        consumed = data.size();
        return result::need_more;
    }
    if ((err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE) && ready_) {
        // Paused by on_message_complete: the request ends where parsing stopped.
        consumed = size_t(llhttp_get_error_pos(&parser_) - data.data());
        if (err == HPE_PAUSED_UPGRADE) {
            // We never switch protocols, so bytes after an Upgrade request are HTTP again.
            llhttp_resume_after_upgrade(&parser_);
        } else {
            llhttp_resume(&parser_);
        }
        return result::request_ready;
    }
    if (!error_status_) error_status_ = status_for(err);
    return result::error;
}

void request_parser::reset() {
    // The callback table set by the constructor (one static table for every parser).
    const auto* settings = static_cast<const llhttp_settings_t*>(parser_.settings);
    llhttp_init(&parser_, HTTP_REQUEST, settings);
    parser_.data = this;
    next();
    field_.clear();
    value_.clear();
    version_.clear();
    last_byte_fed_ = '\0';
    header_bytes_ = 0;
    in_message_ = in_body_ = false;
    keep_alive_ = true;
    error_status_ = 0;
}

void request_parser::next() {
    request_.clear();
    ready_ = false;
    expects_continue_ = false;
}

int request_parser::fail(int status) {
    error_status_ = status;
    return HPE_USER;
}

int request_parser::status_for(llhttp_errno_t err) const {
    if (err == HPE_INVALID_VERSION && looks_like_version(version_)) return 505;
    return 400;
}

int request_parser::on_message_begin(llhttp_t* p) {
    auto& s = self(p);
    s.request_.clear();
    s.version_.clear();
    s.field_.clear();
    s.value_.clear();
    s.header_bytes_ = 0;
    s.in_message_ = true;
    s.in_body_ = false;
    s.expects_continue_ = false;
    return 0;
}

int request_parser::append_limited(std::string& into, const char* at, size_t len, size_t limit,
                                   int status) {
    if (into.size() + len > limit) return fail(status);
    into.append(at, len);
    return 0;
}

int request_parser::on_url(llhttp_t* p, const char* at, size_t len) {
    auto& s = self(p);
    return s.append_limited(s.request_.target, at, len, s.limits_.max_request_line, 414);
}

int request_parser::on_version(llhttp_t* p, const char* at, size_t len) {
    auto& s = self(p);
    return s.append_limited(s.version_, at, len, 16, 400);
}

int request_parser::count_header_bytes(size_t n) {
    header_bytes_ += n;
    return header_bytes_ > limits_.max_header_size ? fail(431) : 0;
}

int request_parser::on_header_field(llhttp_t* p, const char* at, size_t len) {
    auto& s = self(p);
    if (int err = s.count_header_bytes(len)) return err;
    s.field_.append(at, len);
    return 0;
}

int request_parser::on_header_value(llhttp_t* p, const char* at, size_t len) {
    auto& s = self(p);
    // llhttp accepts obsolete line folding ("X: a\r\n b") and hands the continuation over as
    // more value bytes, right after the line break. RFC 9112 §5.2: reject it.
    const char before = at > s.feed_start_ ? at[-1] : s.last_byte_fed_;
    if (len > 0 && before == '\n') return s.fail(400);
    if (int err = s.count_header_bytes(len)) return err;
    s.value_.append(at, len);
    return 0;
}

int request_parser::on_header_value_complete(llhttp_t* p) {
    auto& s = self(p);
    // ": " and CRLF count toward the limit, as they do on the wire.
    if (int err = s.count_header_bytes(4)) return err;
    // llhttp tolerates "Name : value"; RFC 9112 §5.1 says to reject whitespace before the colon,
    // a classic request-smuggling vector.
    if (s.field_.find_first_of(" \t") != std::string::npos) return s.fail(400);
    s.request_.headers.emplace_back(std::move(s.field_), std::move(s.value_));
    s.field_.clear();
    s.value_.clear();
    return 0;
}

int request_parser::on_headers_complete(llhttp_t* p) {
    auto& s = self(p);
    if (p->http_major != 1) return s.fail(505);
    request& req = s.request_;
    req.method = llhttp_method_name(llhttp_method_t(p->method));
    req.version_minor = p->http_minor;
    // This server tunnels nothing: CONNECT is not implemented (its authority-form target is
    // never parsed as a path).
    if (p->method == HTTP_CONNECT) return s.fail(501);
    if (int status = check_host(req, p->http_minor)) return s.fail(status);
    if (req.target == "*") {
        // Asterisk-form is for "OPTIONS *" only (RFC 9112 §3.2.4).
        if (p->method != HTTP_OPTIONS) return s.fail(400);
        req.path.assign(1, '*');  // not = "*": GCC 12 warns falsely (PR105651)
    } else {
        auto parts = split_target(req.target);
        req.path.assign(parts.path);
        req.query.assign(parts.query);
        // Only origin-form and absolute-form targets name a resource here.
        if (req.path.empty() || req.path[0] != '/') return s.fail(400);
    }

    if ((p->flags & F_CHUNKED) && !only_chunked(req)) {
        // A coding before "chunked" (gzip, chunked) would have to be decoded: not implemented.
        return s.fail(501);
    }
    const bool has_body =
        (p->flags & F_CHUNKED) || ((p->flags & F_CONTENT_LENGTH) && p->content_length > 0);
    if ((p->flags & F_CONTENT_LENGTH) && p->content_length > s.limits_.max_body_size)
        return s.fail(413);
    if (has_body && p->http_minor >= 1) {
        auto expect = req.header("Expect");
        s.expects_continue_ = expect && iequals(*expect, "100-continue");
    }
    s.keep_alive_ = llhttp_should_keep_alive(p);
    s.in_body_ = has_body;
    return 0;
}

int request_parser::on_body(llhttp_t* p, const char* at, size_t len) {
    auto& s = self(p);
    return s.append_limited(s.request_.body, at, len, s.limits_.max_body_size, 413);
}

int request_parser::on_message_complete(llhttp_t* p) {
    auto& s = self(p);
    s.in_message_ = false;
    s.in_body_ = false;
    s.ready_ = true;
    s.keep_alive_ = llhttp_should_keep_alive(p);
    return HPE_PAUSED;  // hand the request over before parsing the next one
}

}  // namespace ringhttpd::http
