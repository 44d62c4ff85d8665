#include "app/nginx_units.hpp"

#include <charconv>
#include <limits>
#include <stdexcept>

namespace ringhttpd::app {
namespace {

constexpr uint64_t kib = 1024;
constexpr uint64_t mib = 1024 * kib;
constexpr uint64_t gib = 1024 * mib;
constexpr uint64_t second_ms = 1000;
constexpr uint64_t minute_ms = 60 * second_ms;
constexpr uint64_t hour_ms = 60 * minute_ms;

[[noreturn]] void invalid(std::string_view kind, std::string_view text, std::string_view expected) {
    throw std::invalid_argument("invalid " + std::string(kind) + " '" + std::string(text) +
                                "': expected " + std::string(expected));
}

// `digits` times `factor`; `text` (the whole value) and `kind` only name it in an error.
uint64_t scaled(std::string_view digits, uint64_t factor, std::string_view kind,
                std::string_view text, std::string_view expected) {
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || end != digits.data() + digits.size()) invalid(kind, text, expected);
    if (ec == std::errc::result_out_of_range ||
        value > std::numeric_limits<uint64_t>::max() / factor)
        invalid(kind, text, "a smaller number");
    return value * factor;
}

}  // namespace

uint64_t parse_count(std::string_view text) {
    return scaled(text, 1, "number", text, "digits, as in 1024");
}

uint64_t parse_size(std::string_view text) {
    constexpr std::string_view expected = "digits with an optional k, m or g, as in 512, 8k or 1m";
    uint64_t factor = 1;
    switch (text.empty() ? '\0' : text.back()) {
        case 'k':
        case 'K':
            factor = kib;
            break;
        case 'm':
        case 'M':
            factor = mib;
            break;
        case 'g':
        case 'G':
            factor = gib;
            break;
        default:
            break;
    }
    std::string_view digits = factor == 1 ? text : text.substr(0, text.size() - 1);
    return scaled(digits, factor, "size", text, expected);
}

uint64_t parse_duration_ms(std::string_view text) {
    constexpr std::string_view expected =
        "digits with an optional ms, s, m or h (seconds without), as in 500ms, 75s or 1h";
    uint64_t factor = second_ms;
    std::string_view digits = text;
    if (text.ends_with("ms")) {
        factor = 1;
        digits.remove_suffix(2);
    } else if (text.ends_with('s')) {
        digits.remove_suffix(1);
    } else if (text.ends_with('m')) {
        factor = minute_ms;
        digits.remove_suffix(1);
    } else if (text.ends_with('h')) {
        factor = hour_ms;
        digits.remove_suffix(1);
    }
    return scaled(digits, factor, "time", text, expected);
}

std::string format_count(uint64_t n) {
    return std::to_string(n);
}

std::string format_size(uint64_t bytes) {
    if (bytes == 0) return "0";
    if (bytes % gib == 0) return std::to_string(bytes / gib) + "g";
    if (bytes % mib == 0) return std::to_string(bytes / mib) + "m";
    if (bytes % kib == 0) return std::to_string(bytes / kib) + "k";
    return std::to_string(bytes);
}

std::string format_duration_ms(uint64_t ms) {
    if (ms == 0) return "0";
    if (ms % hour_ms == 0) return std::to_string(ms / hour_ms) + "h";
    if (ms % second_ms == 0) return std::to_string(ms / second_ms) + "s";
    return std::to_string(ms) + "ms";
}

}  // namespace ringhttpd::app
