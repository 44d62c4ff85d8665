#pragma once
// Small text helpers: HTTP's optional whitespace, case-insensitive tokens, and the character
// classes of RFC 9110 and RFC 3986 that parsing and validation share.

#include <strings.h>

#include <string>
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

// ASCII letters to lower case, in place (host names, file extensions); other bytes unchanged.
inline void lowercase_ascii(std::string& s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
}

namespace detail {

// Character classes as one table lookup per byte: hosts, targets and tokens are checked byte by
// byte on every request.
enum char_class : unsigned char { unreserved = 1, sub_delim = 2, tchar = 4 };

constexpr bool in(std::string_view set, char c) {
    return set.find(c) != std::string_view::npos;
}

inline constexpr auto char_classes = [] {
    struct table {
        unsigned char of[256]{};
    } t;
    for (int i = 0; i < 256; ++i) {
        const char c = char(i);
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum || in("-._~", c)) t.of[i] |= unreserved;        // RFC 3986 §2.3
        if (in("!$&'()*+,;=", c)) t.of[i] |= sub_delim;           // RFC 3986 §2.2
        if (alnum || in("!#$%&'*+-.^_`|~", c)) t.of[i] |= tchar;  // RFC 9110 §5.6.2
    }
    return t;
}();

inline bool has(char c, unsigned char classes) {
    return (char_classes.of[static_cast<unsigned char>(c)] & classes) != 0;
}

}  // namespace detail

// RFC 9110 §5.6.2 tchar: what a method or field name is made of.
inline bool is_tchar(char c) {
    return detail::has(c, detail::tchar);
}

// RFC 3986 §2.3 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~".
inline bool is_unreserved(char c) {
    return detail::has(c, detail::unreserved);
}

// RFC 3986 §2.3 unreserved or §2.2 sub-delims: what a reg-name may hold besides pct-encoded.
inline bool is_unreserved_or_sub_delim(char c) {
    return detail::has(c, detail::unreserved | detail::sub_delim);
}

// The value of a hexadecimal digit, or -1 for any other byte.
inline int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace ringhttpd::http
