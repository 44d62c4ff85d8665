#pragma once
// Content-Type by file extension, case-insensitive; application/octet-stream when unknown.
// Text types carry "; charset=utf-8".

#include <string_view>

namespace ringhttpd::handlers {

std::string_view mime_type_for(std::string_view path);

// Whether compressing a body of this Content-Type pays off: text, JSON, XML, JavaScript, SVG,
// WebAssembly, uncompressed fonts and icons; not images, audio, video or archives.
bool is_compressible(std::string_view content_type);

}  // namespace ringhttpd::handlers
