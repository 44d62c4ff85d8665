#pragma once
// Serialises a response into a connection's output queue: status line, the headers the server
// owns (Server, Date, Content-Length, Connection), the handler's headers, then the body. A file
// body is queued as a file range and streamed by the reactor.

#include "io/output_queue.hpp"
#include "ringhttpd/response.hpp"

namespace ringhttpd::http {

struct response_framing {
    bool head_request = false;  // HEAD: the same headers as GET, no body
    bool keep_alive = true;
    bool http10 = false;  // the client spoke HTTP/1.0, so keep-alive must be said explicitly
    bool security_headers = true;  // nosniff, SAMEORIGIN framing, a strict referrer policy
    bool server_tokens = false;    // "Server: ringhttpd/<version>" instead of "Server: ringhttpd"
};

// Returns the bytes of body it queued: 0 for HEAD and for statuses without a body.
uint64_t write_response(io::output_queue& out, response&& res, const response_framing& framing);

// The fields a response states about itself, as write_response puts them in the head:
// Content-Type, Content-Length (unless its status has no body) and its headers, or its prebuilt
// fields and then its headers. A handler that gives the same answer many times makes them once
// with this (response::prebuilt_fields).
void append_response_fields(std::string& out, const response& res);

// "HTTP/1.1 100 Continue": tells a client that sent Expect: 100-continue to send its body.
void write_continue(io::output_queue& out);

}  // namespace ringhttpd::http
