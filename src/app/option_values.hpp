#pragma once
// The value syntaxes of the option table. Each builds an option_value that parses into, and
// shows, the field of cli_options a member pointer names: &config::threads (in cli_options::cfg),
// &static_files_options::gzip (in cli_options::files) or &cli_options::root.

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "app/nginx_units.hpp"
#include "app/options.hpp"

namespace ringhttpd::app {

// A kind of number and its nginx spelling.
struct unit {
    std::string_view placeholder;
    uint64_t (*parse)(std::string_view text);
    std::string (*format)(uint64_t n);
};
inline constexpr unit count_unit{"N", parse_count, format_count};
inline constexpr unit size_unit{"SIZE", parse_size, format_size};
inline constexpr unit time_unit{"TIME", parse_duration_ms, format_duration_ms};

// The struct inside `options` (a cli_options, const or not) whose members `Part` declares.
template <typename Part, typename Options>
auto& part_of(Options& options) {
    if constexpr (std::is_same_v<Part, config>) {
        return options.cfg;
    } else if constexpr (std::is_same_v<Part, static_files_options>) {
        return options.files;
    } else if constexpr (std::is_same_v<Part, site_tls_settings>) {
        return options.tls;
    } else {
        static_assert(std::is_same_v<Part, cli_options>);
        return options;
    }
}

// "1 to 1024", "1ms to 24h".
std::string describe(bounds range, std::string (*format)(uint64_t));
// `text` in `u`'s spelling, within `range`.
uint64_t parse_number(std::string_view text, const unit& u, bounds range);

// A number in `u`'s spelling, within `range` (no range: anything the field holds). A default of
// 0 shows as `zero_means` where one is given: the value worked out at run time.
template <typename Part, typename T>
option_value number(T Part::*member, const unit& u, std::optional<bounds> range,
                    std::string_view zero_means = {}) {
    static_assert(std::is_unsigned_v<T>);
    if (range && range->max > std::numeric_limits<T>::max())
        throw std::logic_error("option bounds wider than the field they fill");
    bounds checked = range.value_or(bounds{0, std::numeric_limits<T>::max()});
    return {
        .placeholder = std::string(u.placeholder),
        .range = range,
        .format_bound = u.format,
        .parse =
            [member, u, checked](std::string_view text, cli_options& into) {
                part_of<Part>(into).*member = T(parse_number(text, u, checked));
            },
        .show =
            [member, u, zero_means](const cli_options& from) {
                T n = part_of<Part>(from).*member;
                return n == 0 && !zero_means.empty() ? std::string(zero_means) : u.format(n);
            },
    };
}

// A count within `range` that is also a power of two (buffer rings need one).
template <typename Part, typename T>
option_value power_of_two(T Part::*member, bounds range) {
    option_value value = number(member, count_unit, range);
    value.parse = [member, parse = std::move(value.parse)](std::string_view text,
                                                           cli_options& into) {
        parse(text, into);
        T n = part_of<Part>(into).*member;
        if ((n & (n - 1)) != 0)
            throw std::invalid_argument("'" + std::string(text) + "' is not a power of two");
    };
    return value;
}

template <typename T>
struct named {
    std::string_view name;
    T value;
};

// "auto|msg-ring|eventfd" when `separator` is "|".
std::string joined(const std::vector<std::string_view>& names, std::string_view separator);
// "auto, msg-ring or eventfd".
std::string alternatives(const std::vector<std::string_view>& names);

// One of a few named values.
template <typename Part, typename T>
option_value choice(T Part::*member, std::vector<named<T>> choices) {
    std::vector<std::string_view> names;
    for (const named<T>& c : choices) names.push_back(c.name);
    return {
        .placeholder = joined(names, "|"),
        .parse =
            [member, choices, expected = alternatives(names)](std::string_view text,
                                                              cli_options& into) {
                for (const named<T>& c : choices) {
                    if (c.name != text) continue;
                    part_of<Part>(into).*member = c.value;
                    return;
                }
                throw std::invalid_argument("expected " + expected + ", got '" + std::string(text) +
                                            "'");
            },
        .show =
            [member, choices](const cli_options& from) {
                for (const named<T>& c : choices)
                    if (c.value == part_of<Part>(from).*member) return std::string(c.name);
                throw std::logic_error("an option's value has no name");
            },
    };
}

// A list of addresses and CIDR ranges ("10.0.0.0/8,::1"; a list in the file), or "off".
option_value address_ranges(std::vector<std::string> config::*member);

template <typename Part>
option_value on_off(bool Part::*member) {
    return choice(member, std::vector<named<bool>>{{"on", true}, {"off", false}});
}

// on|off, and on when the command line names it without a value.
template <typename Part>
option_value switch_on(bool Part::*member) {
    option_value value = on_off(member);
    value.placeholder.clear();
    return value;
}

// Any text, such as a path.
template <typename Part>
option_value plain_text(std::string Part::*member, std::string_view placeholder) {
    return {
        .placeholder = std::string(placeholder),
        .parse = [member](std::string_view text,
                          cli_options& into) { part_of<Part>(into).*member = text; },
        .show = [member](const cli_options& from) { return part_of<Part>(from).*member; },
    };
}

// Paths, comma-separated (a list in the file); none by default.
option_value file_list(std::vector<std::string> site_tls_settings::*member);
// Listen addresses, comma-separated (a TOML list in the file): listen_address::parse's forms.
option_value listen_addresses(std::vector<listen_address> config::*member);
// One address, or `off` (nullopt).
option_value optional_listen_address(std::optional<listen_address> cli_options::*member);
std::vector<listen_address> parse_listen_list(std::string_view text);
std::string listen_list_text(const std::vector<listen_address>& addresses);
// nginx's limit_req rate, "10r/s" or "600r/m", in requests per second; 0 (off) by default.
option_value request_rate(double config::*per_second);
// nginx's `expires`: off, epoch, max or a time, in seconds.
option_value expiry(std::optional<int64_t> static_files_options::*seconds);
// nginx's `index`: file names, tried in order, written with commas (a list in the file).
option_value index_files(std::vector<std::string> static_files_options::*names);

}  // namespace ringhttpd::app
