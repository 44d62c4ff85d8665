#include "ringhttpd/listen_address.hpp"

#include <arpa/inet.h>
#include <sys/un.h>

#include <charconv>
#include <stdexcept>

namespace ringhttpd {
namespace {

constexpr std::string_view unix_prefix = "unix:";
constexpr std::string_view tls_suffix = " tls";
constexpr std::string_view nginx_tls_suffix = " ssl";  // nginx's `listen 443 ssl`

[[noreturn]] void bad_form(std::string_view text) {
    throw std::invalid_argument(
        "expected PORT, :PORT, HOST:PORT, [IPv6]:PORT or unix:/PATH, then ' tls' for a TLS "
        "listener (e.g. 8080, 127.0.0.1:8080, [::]:8080, unix:/run/ringhttpd.sock or "
        "0.0.0.0:8443 tls), got '" +
        std::string(text) + "'");
}

uint16_t parse_port(std::string_view text, std::string_view whole) {
    unsigned n = 0;
    auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || end != text.data() + text.size()) bad_form(whole);
    if (err == std::errc::result_out_of_range || n > 65535)
        throw std::invalid_argument("port out of range: expected 0 to 65535, got '" +
                                    std::string(text) + "'");
    return uint16_t(n);
}

bool is_ip_literal(const std::string& host) {
    unsigned char bytes[sizeof(in6_addr)];
    return inet_pton(AF_INET, host.c_str(), bytes) == 1 ||
           inet_pton(AF_INET6, host.c_str(), bytes) == 1;
}

}  // namespace

listen_address listen_address::parse(std::string_view text) {
    if (text.ends_with(tls_suffix) || text.ends_with(nginx_tls_suffix)) {
        listen_address out = parse(text.substr(0, text.size() - tls_suffix.size()));
        out.tls = true;
        return out;
    }
    listen_address out;
    if (text.starts_with(unix_prefix)) {
        out.unix_path = text.substr(unix_prefix.size());
        if (out.unix_path.empty()) bad_form(text);
        if (out.unix_path.size() >= sizeof(sockaddr_un::sun_path))
            throw std::invalid_argument("unix socket path too long: at most " +
                                        std::to_string(sizeof(sockaddr_un::sun_path) - 1) +
                                        " bytes, got '" + out.unix_path + "'");
        return out;
    }
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        // "8080" and ":8080" listen on every IPv4 address, as nginx's `listen 8080`.
        out.host = "0.0.0.0";
        out.port = parse_port(colon == 0 ? text.substr(1) : text, text);
        return out;
    }
    std::string_view host = text.substr(0, colon);
    if (host.starts_with('[')) {
        if (!host.ends_with(']')) bad_form(text);
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        bad_form(text);  // an IPv6 address needs its brackets to tell it from the port
    }
    out.host = host;
    out.port = parse_port(text.substr(colon + 1), text);
    if (out.host != "localhost" && !is_ip_literal(out.host))
        throw std::invalid_argument("invalid listen address '" + std::string(text) +
                                    "': the host must be an IPv4 or IPv6 literal or localhost "
                                    "(e.g. 0.0.0.0:8080 or [::]:8080)");
    return out;
}

std::string listen_address::text() const {
    std::string out;
    if (is_unix()) {
        out = std::string(unix_prefix) + unix_path;
    } else {
        const bool v6 = host.find(':') != std::string::npos && !host.starts_with('[');
        out = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
    }
    return tls ? out + std::string(tls_suffix) : out;
}

}  // namespace ringhttpd
