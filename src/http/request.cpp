#include "ringhttpd/request.hpp"

#include "http/text.hpp"
#include "http/url.hpp"

namespace ringhttpd {

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
    method.clear();
    target.clear();
    path.clear();
    query.clear();
    host.clear();
    version_minor = 1;
    headers.clear();
    body.clear();
    params.clear();
}

}  // namespace ringhttpd
