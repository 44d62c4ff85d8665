#pragma once
// Small text helpers for header values: HTTP's optional whitespace and case-insensitive tokens.

#include <strings.h>

#include <string_view>

namespace ringhttpd::http {

// Without leading and trailing spaces and tabs (RFC 9110 OWS).
inline std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// ASCII case-insensitive equality, for header names and tokens.
inline bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ringhttpd::http
