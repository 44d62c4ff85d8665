#include "ringhttpd/response.hpp"

#include "http/status.hpp"

namespace ringhttpd {

uint64_t response::content_length() const {
    if (file) return file->length;
    if (shared_body) return shared_body->size();
    if (parts.empty()) return body.size();
    uint64_t total = 0;
    for (const body_part& part : parts) total += part.file ? part.file->length : part.bytes.size();
    return total;
}

response response::text(int status, std::string body, std::string content_type) {
    response r;
    r.status = status;
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    return r;
}

response response::json(int status, std::string body) {
    return text(status, std::move(body), "application/json");
}

response response::error(int status) {
    // The page names only the status: nothing from the request is echoed back. A 505 also says
    // which versions would do (RFC 9110 §15.6.6).
    std::string title = std::to_string(status) + " " + std::string(http::reason_phrase(status));
    const char* detail =
        status == 505 ? "<p>This server speaks HTTP/1.1 and HTTP/1.0.</p>\r\n" : "";
    return text(status,
                "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" +
                    title + "</h1></center>\r\n" + detail +
                    "<hr><center>ringhttpd</center>\r\n</body>\r\n</html>\r\n",
                "text/html; charset=utf-8");
}

}  // namespace ringhttpd
