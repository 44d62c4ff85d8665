#include "http/request_target.hpp"

#include <arpa/inet.h>

#include "http/text.hpp"

namespace ringhttpd::http {
namespace {

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return hex_digit_value(c) >= 0;
}

bool valid_reg_name(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
            i += 2;
        } else if (!is_unreserved_or_sub_delim(s[i])) {
            return false;
        }
    }
    return true;
}

// IP-literal without its brackets: IPv6address or IPvFuture ("v" 1*HEXDIG "." 1*(...)).
bool valid_ip_literal(std::string_view s) {
    if (!s.empty() && (s[0] == 'v' || s[0] == 'V')) {
        size_t dot = s.find('.');
        if (dot == std::string_view::npos || dot < 2 || dot + 1 == s.size()) return false;
        for (size_t i = 1; i < dot; ++i)
            if (!is_hex(s[i])) return false;
        for (char c : s.substr(dot + 1))
            if (!is_unreserved_or_sub_delim(c) && c != ':') return false;
        return true;
    }
    if (s.size() > 45) return false;  // INET6_ADDRSTRLEN - 1: longer is no IPv6 address
    char text[46];
    s.copy(text, s.size());
    text[s.size()] = '\0';
    unsigned char address[16];
    return inet_pton(AF_INET6, text, address) == 1;
}

bool all_digits(std::string_view s) {
    for (char c : s)
        if (!is_digit(c)) return false;
    return true;
}

// "scheme:" prefix of an absolute-URI (RFC 3986 §3.1), or empty when there is none.
std::string_view scheme_of(std::string_view target) {
    if (target.empty() || !is_alpha(target[0])) return {};
    for (size_t i = 1; i < target.size(); ++i) {
        char c = target[i];
        if (c == ':') return target.substr(0, i);
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return {};
    }
    return {};
}

void split_path_and_query(std::string_view rest, request_target& out) {
    size_t question = rest.find('?');
    out.path = rest.substr(0, question);
    if (question != std::string_view::npos) out.query = rest.substr(question + 1);
}

}  // namespace

bool valid_host(std::string_view host) {
    std::string_view port;
    if (!host.empty() && host[0] == '[') {
        size_t close = host.find(']');
        if (close == std::string_view::npos || !valid_ip_literal(host.substr(1, close - 1)))
            return false;
        std::string_view after = host.substr(close + 1);
        if (after.empty()) return true;
        if (after[0] != ':') return false;
        port = after.substr(1);
    } else {
        // A reg-name holds no ':', so the first one starts the port.
        size_t colon = host.find(':');
        if (colon != std::string_view::npos) {
            port = host.substr(colon + 1);
            host = host.substr(0, colon);
        }
        if (!valid_reg_name(host)) return false;
    }
    return all_digits(port);
}

request_target parse_request_target(std::string_view target) {
    request_target out;
    if (target.find('#') != std::string_view::npos) return out;
    if (target == "*") {
        out.form = target_form::asterisk;
        out.path = target;
        return out;
    }
    if (!target.empty() && target[0] == '/') {
        out.form = target_form::origin;
        split_path_and_query(target, out);
        return out;
    }
    std::string_view scheme = scheme_of(target);
    if (!iequals(scheme, "http") && !iequals(scheme, "https")) return out;
    std::string_view rest = target.substr(scheme.size() + 1);
    if (rest.substr(0, 2) != "//") return out;
    rest.remove_prefix(2);
    size_t end = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, end);
    // An http(s) URI needs a host, and userinfo in one is an error (RFC 9110 §4.2.1, §4.2.4).
    if (authority.empty() || authority[0] == ':' || authority.find('@') != std::string_view::npos ||
        !valid_host(authority))
        return out;
    out.form = target_form::absolute;
    out.authority = authority;
    split_path_and_query(end == std::string_view::npos ? std::string_view{} : rest.substr(end),
                         out);
    if (out.path.empty()) out.path = "/";  // http://host?q is http://host/?q (RFC 9110 §4.2.3)
    return out;
}

}  // namespace ringhttpd::http
