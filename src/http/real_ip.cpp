#include "http/real_ip.hpp"

#include <charconv>
#include <string>

#include "http/text.hpp"

namespace ringhttpd::http {
bool address_range::contains(const io::client_address& a) const {
    const unsigned full_bytes = prefix_bits / 8, rest = prefix_bits % 8;
    for (unsigned i = 0; i < full_bytes; ++i)
        if (a.bytes[i] != base.bytes[i]) return false;
    if (rest == 0) return true;
    const uint8_t mask = uint8_t(0xff << (8 - rest));
    return (a.bytes[full_bytes] & mask) == (base.bytes[full_bytes] & mask);
}

std::optional<address_range> address_range::parse(std::string_view text) {
    const size_t slash = text.find('/');
    auto address = io::client_address::parse(text.substr(0, slash));
    if (!address) return std::nullopt;
    const bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
    address_range range{*address, 128};
    if (slash == std::string_view::npos) return range;
    const std::string_view bits_text = text.substr(slash + 1);
    unsigned bits = 0;
    auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
    if (ec != std::errc{} || end != bits_text.data() + bits_text.size() || bits_text.empty() ||
        bits > (v4 ? 32u : 128u))
        return std::nullopt;
    range.prefix_bits = v4 ? 96 + bits : bits;  // IPv4 lives in the last 32 bits
    return range;
}

bool real_ip_rule::is_trusted(const io::client_address& a) const {
    for (const address_range& r : trusted)
        if (r.contains(a)) return true;
    return false;
}

io::client_address real_ip_rule::client_of(const io::client_address& peer,
                                           const request& req) const {
    if (trusted.empty() || !is_trusted(peer)) return peer;
    if (header == real_ip_header::x_real_ip) {
        auto value = req.header("X-Real-IP");
        auto address = value ? io::client_address::parse(trim_ows(*value)) : std::nullopt;
        return address ? *address : peer;
    }
    // X-Forwarded-For: "client, proxy1, proxy2"; each proxy appends the address it saw. Walk
    // from the right past trusted proxies: the first untrusted address is the client. Several
    // header lines are one list, in order.
    io::client_address client = peer;
    for (auto it = req.headers.rbegin(); it != req.headers.rend(); ++it) {
        if (!iequals(it->first, "X-Forwarded-For")) continue;
        std::string_view list = it->second;
        while (!list.empty()) {
            const size_t comma = list.rfind(',');
            const std::string_view item =
                trim_ows(comma == std::string_view::npos ? list : list.substr(comma + 1));
            list = comma == std::string_view::npos ? std::string_view() : list.substr(0, comma);
            auto address = io::client_address::parse(item);
            if (!address) return client;  // garbage: stop at the last address we could read
            client = *address;
            if (!is_trusted(client)) return client;
        }
    }
    return client;
}

}  // namespace ringhttpd::http
