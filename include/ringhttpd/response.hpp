#pragma once
// What a handler returns: a status, headers and a body that is either bytes in memory or a byte
// range of an open file. The server adds Date, Server, Content-Length and Connection; handlers
// never write those. A file body is streamed in chunks, so its size is not bounded by memory.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ringhttpd/request.hpp"
#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd {

struct file_body {
    // Shared: one cached open file can be the body of many responses at once (each sends its
    // own range; the file position is never used).
    std::shared_ptr<const unique_fd> fd;
    off_t offset = 0;
    uint64_t length = 0;
};

// One piece of a body made of several (multipart/byteranges): bytes, or a range of a file.
using body_part = std::variant<std::string, file_body>;

// Exactly one kind of body:
//   std::string                       bytes the response owns (the default: empty);
//   shared_ptr<const std::string>     bytes owned elsewhere (a cached file's content), shared
//                                     rather than copied into each response;
//   file_body                         a range of an open file, streamed with sendfile;
//   std::vector<body_part>            pieces in order (multipart/byteranges).
using response_body = std::variant<std::string, std::shared_ptr<const std::string>, file_body,
                                   std::vector<body_part>>;

struct response {
    int status = 200;
    std::string content_type;
    header_list headers;  // extra headers; names and values must be free of CR/LF
    response_body body;
    bool close_connection = false;  // answer with "Connection: close" and close afterwards
    bool access_log = true;         // false: the access log skips it (metrics still count it)
    // Fields made once and shared by many responses, each "Name: value\r\n": Content-Type,
    // Content-Length and the handler's own headers, exactly as the server would write them for
    // this response (a cached file's usual answer). When set, they stand in for content_type and
    // the Content-Length, and `headers` follow them. Only for a handler that evaluates
    // If-Match and If-None-Match itself: those are not checked against an ETag in here.
    std::shared_ptr<const std::string> prebuilt_fields;

    uint64_t content_length() const;
    // The body when it is bytes in memory (owned or shared), else empty.
    std::string_view body_text() const;

    static response text(int status, std::string body,
                         std::string content_type = "text/plain; charset=utf-8");
    static response json(int status, std::string body);
    // A small HTML error page for `status`, with the reason phrase from the status table.
    static response error(int status);
    // 405 with the methods the target does answer: "GET, HEAD".
    static response not_allowed(std::string allow);
};

}  // namespace ringhttpd
