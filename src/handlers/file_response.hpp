#pragma once
// The response for a static file once its bytes are chosen: validators, conditional requests
// (304/412), byte ranges (206, multipart/byteranges, 416) and caching headers. Pure: no I/O.

#include <cstdint>
#include <optional>

#include "handlers/content_coding.hpp"
#include "handlers/file_cache.hpp"
#include "ringhttpd/request.hpp"
#include "ringhttpd/response.hpp"

namespace ringhttpd::handlers {

struct file_response_options {
    // nginx's `expires`: unset sends no Cache-Control or Expires; N > 0 seconds sends max-age=N;
    // 0 sends no-cache and Expires now; a negative value is nginx's `epoch`.
    std::optional<int64_t> expires_s;
    bool vary = true;  // Vary: Accept-Encoding (off only when no coding is ever offered)
};

// `original`: the file as named (type, Last-Modified); `bytes`: what is sent for it, in
// `encoding` (the original itself for identity).
response file_response(const request& req, const cached_file& original,
                       const file_cache::entry& bytes, coding encoding,
                       const file_response_options& options);

// The fields of `file`'s usual answer (200, the whole file as stored, no Range) as the response
// writer puts them in a head, made once when the file is cached (cached_file::prebuilt_fields)
// so that answering it builds and allocates nothing per request. Empty when `options` make them
// differ from one response to the next (an Expires date counted from now).
std::string make_prebuilt_fields(const file_cache::entry& file,
                                 const file_response_options& options);

}  // namespace ringhttpd::handlers
