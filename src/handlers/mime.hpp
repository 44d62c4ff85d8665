#pragma once
// Content-Type by file extension, case-insensitive; application/octet-stream when unknown.
// Text types carry "; charset=utf-8".

#include <string_view>

namespace ringhttpd::handlers {

std::string_view mime_type_for(std::string_view path);

}  // namespace ringhttpd::handlers
