#include "ringhttpd/request.hpp"

#include "http/text.hpp"
#include "http/url.hpp"

namespace ringhttpd {
namespace {

constexpr std::string_view method_names[] = {"GET",     "HEAD",  "POST",  "PUT",    "DELETE",
                                             "OPTIONS", "PATCH", "TRACE", "CONNECT"};

}  // namespace

std::string_view client_verify_name(client_verify v) {
    switch (v) {
        case client_verify::success:
            return "SUCCESS";
        case client_verify::failed:
            return "FAILED";
        default:
            return "NONE";
    }
}

std::string_view method_name(http_method m) {
    const auto index = size_t(m);
    return index < std::size(method_names) ? method_names[index] : std::string_view();
}

http_method method_from_name(std::string_view name) {
    for (size_t i = 0; i < std::size(method_names); ++i)
        if (method_names[i] == name) return http_method(i);
    return http_method::other;
}

std::optional<std::string_view> request::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (http::iequals(key, name)) return value;
    return std::nullopt;
}

std::optional<std::string_view> request::param(std::string_view name) const {
    for (const auto& [key, value] : params)
        if (key == name) return value;
    return std::nullopt;
}

std::optional<std::string> request::query_param(std::string_view name) const {
    return http::find_query_param(query, name);
}

void request::clear() {
    method = http_method::get;
    method_name = "GET";
    target.clear();
    path.clear();
    query.clear();
    host.clear();
    version_minor = 1;
    headers.clear();
    body.clear();
    client = {};
    params.clear();
}

}  // namespace ringhttpd
