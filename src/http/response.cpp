#include "ringhttpd/response.hpp"

#include "http/status.hpp"

namespace ringhttpd {

namespace {

// Lets std::visit take one lambda per alternative.
template <typename... Fns>
struct overloaded : Fns... {
    using Fns::operator()...;
};
template <typename... Fns>
overloaded(Fns...) -> overloaded<Fns...>;  // clang 14 does not deduce it for aggregates

uint64_t part_length(const body_part& part) {
    return std::visit(overloaded{[](const std::string& bytes) { return uint64_t(bytes.size()); },
                                 [](const file_body& file) { return file.length; }},
                      part);
}

}  // namespace

uint64_t response::content_length() const {
    return std::visit(overloaded{[](const std::string& bytes) { return uint64_t(bytes.size()); },
                                 [](const std::shared_ptr<const std::string>& shared) {
                                     return shared ? uint64_t(shared->size()) : 0;
                                 },
                                 [](const file_body& file) { return file.length; },
                                 [](const std::vector<body_part>& parts) {
                                     uint64_t total = 0;
                                     for (const body_part& part : parts) total += part_length(part);
                                     return total;
                                 }},
                      body);
}

std::string_view response::body_text() const {
    if (auto* bytes = std::get_if<std::string>(&body)) return *bytes;
    if (auto* shared = std::get_if<std::shared_ptr<const std::string>>(&body))
        return *shared ? std::string_view(**shared) : std::string_view();
    return {};
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

response response::not_allowed(std::string allow) {
    response res = error(405);
    res.headers.emplace_back("Allow", std::move(allow));
    return res;
}

}  // namespace ringhttpd
