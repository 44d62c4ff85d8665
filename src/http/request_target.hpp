#pragma once
// Pure functions over the request-target and the Host field (RFC 9112 §3.2, RFC 3986 §3.2):
// which form a target has, its authority, path and query, and whether a Host value is valid.

#include <string_view>

namespace ringhttpd::http {

enum class target_form { origin, absolute, asterisk, invalid };

struct request_target {
    target_form form = target_form::invalid;
    std::string_view authority;  // absolute-form only: "host[:port]" as written in the target
    // "/a/b", still percent-encoded; "/" for an empty absolute path; "*" in asterisk-form
    std::string_view path;
    std::string_view query;  // after '?', without it
};

// Classifies and splits a target as received. Invalid (400): a fragment ('#' is never part of
// a request-target), an authority-form or relative target, and an absolute-form target whose
// scheme is not http or https, whose host is empty or invalid, or that carries userinfo
// (RFC 9110 §4.2.1, §4.2.4).
request_target parse_request_target(std::string_view target);

// RFC 9112 §3.2: Host = uri-host [ ":" port ], where uri-host is an IP-literal ("[v6]" or
// "[vF.future]") or a reg-name (which covers IPv4) and port is *DIGIT. Empty is valid: that is
// what a client sends when the target URI has no authority.
bool valid_host(std::string_view host_and_port);

}  // namespace ringhttpd::http
