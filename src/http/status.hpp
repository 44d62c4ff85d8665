#pragma once
// The one table of HTTP statuses: reason phrases for status lines, error pages and metric labels.

#include <string_view>

namespace ringhttpd::http {

// Reason phrase for a status code; "Unknown" for codes the table does not know.
std::string_view reason_phrase(int status);
// "HTTP/1.1 200 OK" for a code the table knows, else empty.
std::string_view status_line(int status);
// Whether a response with this status carries no body and no Content-Length (1xx, 204, 304).
bool status_has_no_body(int status);

}  // namespace ringhttpd::http
