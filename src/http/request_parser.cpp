#include "http/request_parser.hpp"

#include "http/request_target.hpp"
#include "http/text.hpp"

namespace ringhttpd::http {
namespace {

http_method method_of(llhttp_method_t id) {
    switch (id) {
        case HTTP_GET:
            return http_method::get;
        case HTTP_HEAD:
            return http_method::head;
        case HTTP_POST:
            return http_method::post;
        case HTTP_PUT:
            return http_method::put;
        case HTTP_DELETE:
            return http_method::delete_;
        case HTTP_OPTIONS:
            return http_method::options;
        case HTTP_PATCH:
            return http_method::patch;
        case HTTP_TRACE:
            return http_method::trace;
        case HTTP_CONNECT:
            return http_method::connect;
        default:
            return http_method::other;
    }
}

request_parser& self(llhttp_t* p) {
    return *static_cast<request_parser*>(p->data);
}

enum class expectation { none, continue_100, unsupported };

// RFC 9110 §10.1.1: Expect is a list; 100-continue is the only expectation defined, and a
// server may answer any other with 417.
expectation expectation_in(std::string_view list, expectation found) {
    while (!list.empty()) {
        const size_t comma = list.find(',');
        std::string_view member = trim_ows(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (member.empty()) continue;
        if (!iequals(member, "100-continue")) return expectation::unsupported;
        found = expectation::continue_100;
    }
    return found;
}

// The fields that decide whom a request is for and how its body is framed, in one pass.
struct framing_fields {
    int hosts = 0;
    std::string_view host;  // the last Host value, without surrounding whitespace
    int transfer_encodings = 0;
    bool only_chunked = true;  // every Transfer-Encoding value is exactly "chunked"
    expectation expect = expectation::none;
};

framing_fields scan_framing_fields(const header_list& headers) {
    framing_fields f;
    for (const auto& [name, value] : headers) {
        if (iequals(name, "Host")) {
            ++f.hosts;
            f.host = trim_ows(value);
        } else if (iequals(name, "Transfer-Encoding")) {
            ++f.transfer_encodings;
            f.only_chunked = f.only_chunked && iequals(trim_ows(value), "chunked");
        } else if (iequals(name, "Expect") && f.expect != expectation::unsupported) {
            f.expect = expectation_in(value, f.expect);
        }
    }
    return f;
}

}  // namespace

request_parser::request_parser(const parser_limits& limits, body_limit_source* body_limits)
    : limits_(limits), body_limits_(body_limits) {
    // One callback table for every parser: connections do not each carry a copy.
    static const llhttp_settings_t settings = [] {
        llhttp_settings_t s;
        llhttp_settings_init(&s);
        s.on_message_begin = on_message_begin;
        s.on_method = on_method;
        s.on_method_complete = on_method_complete;
        s.on_url = on_url;
        s.on_version = on_version;
        s.on_header_field = on_header_field;
        s.on_header_value = on_header_value;
        s.on_header_value_complete = on_header_value_complete;
        s.on_headers_complete = on_headers_complete;
        s.on_chunk_extension_name = on_chunk_extension;
        s.on_chunk_extension_value = on_chunk_extension;
        s.on_body = on_body;
        s.on_message_complete = on_message_complete;
        return s;
    }();
    init_llhttp(&settings);
}

void request_parser::init_llhttp(const llhttp_settings_t* settings) {
    // llhttp is compiled in strict mode (CMakeLists.txt). Its one leniency we want: any
    // "HTTP/d.d" gets through, so that on_headers_complete can answer 505 to another major
    // version and treat HTTP/1.2+ as HTTP/1.1 (RFC 9110 §2.5) instead of a blanket error.
    llhttp_init(&parser_, HTTP_REQUEST, settings);
    parser_.lenient_flags |= LENIENT_VERSION;
    parser_.data = this;
}

request_parser::result request_parser::feed(std::string_view data, size_t& consumed) {
    consumed = 0;
    if (error_status_) return result::error;
    if (unknown_method_) return read_unknown_method(data, consumed);
    feed_start_ = data.data();
    llhttp_errno_t err = llhttp_execute(&parser_, data.data(), data.size());
    if (err == HPE_OK) {
        consumed = data.size();
    } else if (err == HPE_PAUSED && ready_) {
        // Paused by on_message_complete: the request ends where parsing stopped.
        consumed = size_t(llhttp_get_error_pos(&parser_) - data.data());
        llhttp_resume(&parser_);
    } else if (err == HPE_INVALID_METHOD) {
        // llhttp knows a fixed list of methods and stops at the first byte that leaves it.
        // Whether the method is a token we do not implement (501, RFC 9110 §9.1) or not a token
        // at all (400) shows only once it ends.
        const char* at = llhttp_get_error_pos(&parser_);
        unknown_method_ = true;
        method_token_seen_ = is_tchar(at > data.data() ? at[-1] : last_solid_byte_fed_);
        method_length_ = 0;
        const size_t before = size_t(at - data.data());
        const result r = read_unknown_method(data.substr(before), consumed);
        consumed += before;
        return r;
    } else {
        if (!error_status_) error_status_ = status_for(err);
        return result::error;
    }
    const uint64_t protocol_at = url_end_ + 1;
    if (protocol_at >= stream_position_ && protocol_at < stream_position_ + consumed)
        protocol_initial_ = data[protocol_at - stream_position_];
    stream_position_ += consumed;
    for (size_t i = consumed; i > 0; --i) {
        if (data[i - 1] != ' ' && data[i - 1] != '\t') {
            last_solid_byte_fed_ = data[i - 1];
            break;
        }
    }
    return ready_ ? result::request_ready : result::need_more;
}

void request_parser::reset() {
    // The callback table set by the constructor (one static table for every parser).
    init_llhttp(static_cast<const llhttp_settings_t*>(parser_.settings));
    next();
    field_.clear();
    value_.clear();
    version_seen_ = false;
    last_solid_byte_fed_ = '\0';
    stream_position_ = 0;
    unknown_method_ = false;
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

request_parser::result request_parser::read_unknown_method(std::string_view data,
                                                           size_t& consumed) {
    consumed = 0;
    for (char c : data) {
        ++consumed;
        if (c == ' ') {
            error_status_ = method_token_seen_ ? 501 : 400;
            return result::error;
        }
        // Longer than any method we implement is 501 too (RFC 9112 §3).
        if (!is_tchar(c) || ++method_length_ > max_method_length) {
            error_status_ = is_tchar(c) ? 501 : 400;
            return result::error;
        }
        method_token_seen_ = true;
    }
    return result::need_more;
}

int request_parser::status_for(llhttp_errno_t err) {
    switch (err) {
        case HPE_PAUSED_H2_UPGRADE:  // "PRI * HTTP/2.0" and the HTTP/2 preface
            return 505;
        default:  // HPE_INVALID_VERSION too: with any d.d allowed, it means a malformed version
            return 400;
    }
}

char request_parser::byte_before_whitespace(const char* at) const {
    while (at > feed_start_ && (at[-1] == ' ' || at[-1] == '\t')) --at;
    return at > feed_start_ ? at[-1] : last_solid_byte_fed_;
}

uint64_t request_parser::position(const char* at) const {
    return stream_position_ + uint64_t(at - feed_start_);
}

int request_parser::on_message_begin(llhttp_t* p) {
    auto& s = self(p);
    s.request_.clear();
    s.version_seen_ = false;
    s.field_.clear();
    s.value_.clear();
    s.header_bytes_ = 0;
    s.chunk_extension_bytes_ = 0;
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

int request_parser::on_method(llhttp_t* p, const char* at, size_t len) {
    auto& s = self(p);
    s.method_end_ = s.position(at) + len;
    return 0;
}

int request_parser::on_method_complete(llhttp_t* p) {
    // Known this early, an error answer to HEAD can leave out its body.
    request& req = self(p).request_;
    req.method_name = llhttp_method_name(llhttp_method_t(p->method));
    req.method = method_of(llhttp_method_t(p->method));
    return 0;
}

int request_parser::on_url(llhttp_t* p, const char* at, size_t len) {
    auto& s = self(p);
    // RFC 9112 §3: method SP request-target SP HTTP-version, one SP each. llhttp skips any
    // number of spaces; a run of them is how two parsers come to split a line differently.
    if (s.request_.target.empty() && s.position(at) != s.method_end_ + 1) return s.fail(400);
    s.url_end_ = s.position(at) + len;
    return s.append_limited(s.request_.target, at, len, s.limits_.max_request_line, 414);
}

int request_parser::on_version(llhttp_t* p, const char* at, size_t) {
    auto& s = self(p);
    // llhttp keeps the digits itself (http_major, http_minor): only their presence matters here,
    // and what stands before them, checked once, where they begin.
    if (!s.version_seen_ && !s.http_name_before(at)) return s.fail(400);
    s.version_seen_ = true;
    return 0;
}

bool request_parser::http_name_before(const char* version) const {
    constexpr uint64_t sp_and_name = 6;  // " HTTP/" between the target and the version digits
    if (position(version) != url_end_ + sp_and_name) return false;
    // llhttp also takes "RTSP/d.d" after GET, POST and OPTIONS (and "ICE/", whose length the
    // check above refuses). Both names are four letters; the first one tells them apart.
    const uint64_t name_at = url_end_ + 1;
    const char initial =
        name_at >= stream_position_ ? feed_start_[name_at - stream_position_] : protocol_initial_;
    return initial == 'H';
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
    // llhttp accepts obsolete line folding ("X: a\r\n b", or "X:\r\n b" with the whole value on
    // the continuation line) and hands the continuation over as value bytes, after the line
    // break and perhaps some whitespace. RFC 9112 §5.2: reject it.
    if (len > 0 && s.byte_before_whitespace(at) == '\n') return s.fail(400);
    if (int err = s.count_header_bytes(len)) return err;
    s.value_.append(at, len);
    return 0;
}

int request_parser::on_header_value_complete(llhttp_t* p) {
    auto& s = self(p);
    // ": " and CRLF count toward the limit, as they do on the wire.
    if (int err = s.count_header_bytes(4)) return err;
    // field-name is 1*tchar: llhttp lets ": value" through with an empty one.
    if (s.field_.empty()) return s.fail(400);
    // Trailer fields (after a chunked body) are discarded: RFC 9110 §6.5.1 forbids merging them
    // into the header section, and no handler here asks for them.
    if (!s.in_body_) s.request_.headers.emplace_back(std::move(s.field_), std::move(s.value_));
    s.field_.clear();
    s.value_.clear();
    return 0;
}

int request_parser::on_headers_complete(llhttp_t* p) {
    auto& s = self(p);
    // "GET /" with no version is HTTP/0.9's request line: invalid in HTTP/1.1 (RFC 9112 §3).
    if (!s.version_seen_) return s.fail(400);
    if (p->http_major != 1) return s.fail(505);
    request& req = s.request_;
    // A higher minor version is handled as the highest we speak (RFC 9110 §2.5).
    req.version_minor = p->http_minor > 1 ? 1 : p->http_minor;
    // This server tunnels nothing: CONNECT is not implemented (its authority-form target is
    // never parsed as a path).
    if (p->method == HTTP_CONNECT) return s.fail(501);
    const framing_fields fields = scan_framing_fields(req.headers);
    // RFC 9112 §3.2: at most one Host, exactly one in HTTP/1.1, and a valid uri-host [":" port]:
    // several, none or a malformed one are classic ways to make a proxy and a server disagree
    // about the target.
    if (fields.hosts > 1 || (fields.hosts == 0 && req.version_minor >= 1) ||
        !valid_host(fields.host))
        return s.fail(400);
    const request_target target = parse_request_target(req.target);
    if (target.form == target_form::invalid) return s.fail(400);
    // Asterisk-form is for "OPTIONS *" only (RFC 9112 §3.2.4).
    if (target.form == target_form::asterisk && p->method != HTTP_OPTIONS) return s.fail(400);
    // The target's authority wins over Host (RFC 9112 §3.2.2).
    req.host.assign(target.form == target_form::absolute ? target.authority : fields.host);
    req.path.assign(target.path);
    req.query.assign(target.query);

    if (fields.transfer_encodings > 0) {
        // An HTTP/1.0 message with Transfer-Encoding has faulty framing (RFC 9112 §6.1).
        if (req.version_minor == 0) return s.fail(400);
        // Without chunked last (an empty value included), the body's length cannot be known
        // (RFC 9112 §6.3).
        if (!(p->flags & F_CHUNKED)) return s.fail(400);
        // A coding before "chunked" (gzip, chunked) would have to be decoded: not implemented.
        if (fields.transfer_encodings > 1 || !fields.only_chunked) return s.fail(501);
    }
    const bool has_body =
        (p->flags & F_CHUNKED) || ((p->flags & F_CONTENT_LENGTH) && p->content_length > 0);
    s.body_limit_ =
        has_body && s.body_limits_ ? s.body_limits_->max_body_size(req) : s.limits_.max_body_size;
    if ((p->flags & F_CONTENT_LENGTH) && p->content_length > s.body_limit_) return s.fail(413);
    switch (fields.expect) {
        case expectation::unsupported:
            return s.fail(417);
        case expectation::continue_100:
            // An HTTP/1.0 client cannot read a 1xx: its expectation is ignored (RFC 9110 §10.1.1).
            s.expects_continue_ = has_body && req.version_minor >= 1;
            break;
        case expectation::none:
            break;
    }
    // We switch to no other protocol: an Upgrade request is an ordinary one, and the bytes
    // after it are HTTP/1.1 again (RFC 9110 §7.8 lets a server ignore Upgrade).
    p->upgrade = 0;
    s.keep_alive_ = llhttp_should_keep_alive(p);
    s.in_body_ = has_body;
    return 0;
}

int request_parser::on_chunk_extension(llhttp_t* p, const char*, size_t len) {
    // Chunk extensions are ignored, but they are bounded like the rest of a request
    // (RFC 9112 §7.1.1).
    auto& s = self(p);
    s.chunk_extension_bytes_ += len;
    return s.chunk_extension_bytes_ > max_chunk_extension_bytes ? s.fail(400) : 0;
}

int request_parser::on_body(llhttp_t* p, const char* at, size_t len) {
    auto& s = self(p);
    return s.append_limited(s.request_.body, at, len, s.body_limit_, 413);
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
