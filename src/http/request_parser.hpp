#pragma once
// Incremental HTTP/1.1 request parser: llhttp in strict mode, filling a ringhttpd::request and
// enforcing the size limits and the request rules of RFC 9112 that llhttp leaves to its caller
// (docs/conformance.md lists them). Feed it bytes as they arrive, split anywhere; it stops after
// each complete request so the caller can answer requests strictly in order. One per connection.

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ringhttpd/request.hpp"

namespace ringhttpd::http {

struct parser_limits {
    size_t max_request_line = 8 * 1024;
    size_t max_header_size = 32 * 1024;
    uint64_t max_body_size = 1024 * 1024;
};

// Decides how large one request's body may be, once its head is complete and before any of the
// body is read: the limit of the site and location it goes to (nginx's client_max_body_size
// where they set it). Asked only for requests that have a body.
class body_limit_source {
  public:
    virtual uint64_t max_body_size(const request& head) = 0;

  protected:
    ~body_limit_source() = default;
};

class request_parser {
  public:
    enum class result {
        need_more,      // every byte was consumed; the request is not complete yet
        request_ready,  // current() is complete; bytes after it were not consumed
        error,          // malformed or over a limit: answer error_status() and close
    };

    // `body_limits`: asked for each body's limit; null: limits.max_body_size for every request.
    explicit request_parser(const parser_limits& limits, body_limit_source* body_limits = nullptr);
    request_parser(const request_parser&) = delete;
    request_parser& operator=(const request_parser&) = delete;

    result feed(std::string_view data, size_t& consumed);
    void next();   // after request_ready: forget the request and parse the next one
    void reset();  // as if new (for another connection), keeping buffer capacity

    request& current() { return request_; }
    bool keep_alive() const { return keep_alive_; }
    int error_status() const { return error_status_; }
    // Bytes of a request have arrived, but not all of it.
    bool in_message() const { return in_message_; }
    // The head is complete and the body is being read.
    bool in_body() const { return in_body_; }
    // The client sent "Expect: 100-continue" and waits for the go-ahead to send its body.
    bool expects_continue() const { return expects_continue_; }

  private:
    static int on_message_begin(llhttp_t* p);
    static int on_method(llhttp_t* p, const char* at, size_t len);
    static int on_method_complete(llhttp_t* p);
    static int on_url(llhttp_t* p, const char* at, size_t len);
    static int on_version(llhttp_t* p, const char* at, size_t len);
    static int on_header_field(llhttp_t* p, const char* at, size_t len);
    static int on_header_value(llhttp_t* p, const char* at, size_t len);
    static int on_header_value_complete(llhttp_t* p);
    static int on_headers_complete(llhttp_t* p);
    static int on_chunk_extension(llhttp_t* p, const char* at, size_t len);
    static int on_body(llhttp_t* p, const char* at, size_t len);
    static int on_message_complete(llhttp_t* p);

    void init_llhttp(const llhttp_settings_t* settings);
    int fail(int status);              // records the status and aborts parsing
    int count_header_bytes(size_t n);  // fails with 431 past max_header_size
    // Appends a span to `into`, or fails with `status` when that would pass `limit` bytes.
    int append_limited(std::string& into, const char* at, size_t len, size_t limit, int status);
    static int status_for(llhttp_errno_t err);
    // After llhttp gave up on a method it does not know: reads on to the method's end.
    result read_unknown_method(std::string_view data, size_t& consumed);
    // The byte before `at` once the SP and HTAB right before it are skipped, across buffers.
    char byte_before_whitespace(const char* at) const;
    // Whether " HTTP/" comes right between the target and the version digits at `version`.
    bool http_name_before(const char* version) const;
    // Where a byte of the current buffer lies in the connection's byte stream.
    uint64_t position(const char* at) const;

    // Chunk extensions a request may carry in all, else 400.
    static constexpr size_t max_chunk_extension_bytes = 4096;
    static constexpr size_t max_method_length = 32;

    parser_limits limits_;
    body_limit_source* body_limits_;
    uint64_t body_limit_ = 0;  // of the request being read
    llhttp_t parser_{};
    request request_;
    std::string field_, value_;
    bool version_seen_ = false;         // the request line had an HTTP-version
    const char* feed_start_ = nullptr;  // the buffer llhttp is parsing now
    uint64_t stream_position_ = 0;      // bytes of the connection consumed before that buffer
    char last_solid_byte_fed_ = '\0';   // the last byte before it that is not SP or HTAB
    uint64_t method_end_ = 0;           // stream positions just past the method and the target
    uint64_t url_end_ = 0;
    char protocol_initial_ = '\0';  // the byte after url_end_'s SP, once a buffer held it
    size_t header_bytes_ = 0;
    size_t chunk_extension_bytes_ = 0;
    bool unknown_method_ = false;     // reading a method llhttp rejected
    bool method_token_seen_ = false;  // that method has at least one byte
    size_t method_length_ = 0;
    bool in_message_ = false;
    bool in_body_ = false;
    bool keep_alive_ = true;
    bool expects_continue_ = false;
    bool ready_ = false;
    int error_status_ = 0;
};

}  // namespace ringhttpd::http
