#pragma once
// Pure functions over request targets: percent-decoding, query strings, path normalisation.

#include <optional>
#include <string>
#include <string_view>

namespace ringhttpd::http {

// Decodes %XX escapes. Returns nullopt for a malformed escape ("%4", "%zz"). With
// `plus_is_space` (query strings, HTML forms) '+' decodes to a space.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space = false);

// Percent-encodes everything but unreserved characters and '/', for building URLs from paths.
std::string percent_encode_path(std::string_view path);

// The value of the first `name` parameter in a query string ("a=1&b=2"), decoded; a malformed
// escape is kept literally rather than failing the request. nullopt if absent.
std::optional<std::string> find_query_param(std::string_view query, std::string_view name);

// Resolves "." and ".." segments and collapses repeated slashes in a decoded absolute path.
// Returns the path relative to the root, without a leading slash ("" is the root itself), and
// keeps a trailing slash. nullopt when ".." would climb above the root.
std::optional<std::string> normalize_path(std::string_view decoded_path);

}  // namespace ringhttpd::http
