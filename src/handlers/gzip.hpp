#pragma once
// gzip (RFC 1952) with zlib, for compressing static files once, on the worker pool.

#include <optional>
#include <string>
#include <string_view>

namespace ringhttpd::handlers {

// The gzip stream of `data` at zlib's level 6 (a file is compressed once and then served from
// the cache, so a better ratio is worth more than speed); nullopt if zlib fails.
std::optional<std::string> gzip_compress(std::string_view data);

}  // namespace ringhttpd::handlers
