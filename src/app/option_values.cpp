#include "app/option_values.hpp"

#include <cmath>

#include "http/real_ip.hpp"
#include "http/text.hpp"

namespace ringhttpd::app {
namespace {

// "a, b,c" as {"a", "b", "c"}: the items of a comma-separated list (a TOML list arrives so),
// spaces around them trimmed; an empty text is one empty item.
std::vector<std::string> comma_list(std::string_view text) {
    std::vector<std::string> items;
    for (size_t start = 0; start <= text.size();) {
        const size_t comma = std::min(text.find(',', start), text.size());
        items.emplace_back(http::trim_ows(text.substr(start, comma - start)));
        start = comma + 1;
    }
    return items;
}

std::string comma_joined(const std::vector<std::string>& items) {
    return joined(std::vector<std::string_view>(items.begin(), items.end()), ",");
}

}  // namespace

std::string describe(bounds range, std::string (*format)(uint64_t)) {
    return format(range.min) + " to " + format(range.max);
}

uint64_t parse_number(std::string_view text, const unit& u, bounds range) {
    uint64_t n = u.parse(text);
    if (n < range.min || n > range.max)
        throw std::invalid_argument("'" + std::string(text) + "' is out of range: expected " +
                                    describe(range, u.format));
    return n;
}

std::string joined(const std::vector<std::string_view>& names, std::string_view separator) {
    std::string out;
    for (std::string_view name : names) {
        if (!out.empty()) out += separator;
        out += name;
    }
    return out;
}

std::string alternatives(const std::vector<std::string_view>& names) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
        out += names[i];
    }
    return out;
}

option_value listen_addresses(std::vector<listen_address> config::*member) {
    return {
        .placeholder = "[HOST:]PORT,...",
        .parse = [member](std::string_view text,
                          cli_options& into) { into.cfg.*member = parse_listen_list(text); },
        .show = [member](const cli_options& from) { return listen_list_text(from.cfg.*member); },
    };
}

option_value optional_listen_address(std::optional<listen_address> cli_options::*member) {
    return {
        .placeholder = "HOST:PORT|off",
        .parse =
            [member](std::string_view text, cli_options& into) {
                if (text == "off") {
                    (into.*member).reset();
                } else {
                    into.*member = listen_address::parse(text);
                }
            },
        .show =
            [member](const cli_options& from) {
                return from.*member ? (from.*member)->text() : std::string("off");
            },
    };
}

std::vector<listen_address> parse_listen_list(std::string_view text) {
    std::vector<listen_address> addresses;
    for (size_t start = 0; start <= text.size();) {
        const size_t comma = std::min(text.find(',', start), text.size());
        addresses.push_back(listen_address::parse(text.substr(start, comma - start)));
        start = comma + 1;
    }
    return addresses;
}

std::string listen_list_text(const std::vector<listen_address>& addresses) {
    std::string out;
    for (const listen_address& a : addresses) {
        if (!out.empty()) out += ',';
        out += a.text();
    }
    return out;
}

option_value address_ranges(std::vector<std::string> config::*member) {
    return {
        .placeholder = "CIDR,...",
        .parse =
            [member](std::string_view text, cli_options& into) {
                std::vector<std::string> ranges;
                for (size_t start = 0; text != "off" && start <= text.size();) {
                    const size_t comma = std::min(text.find(',', start), text.size());
                    std::string item(text.substr(start, comma - start));
                    std::erase(item, ' ');
                    if (!http::address_range::parse(item))
                        throw std::invalid_argument(
                            "expected addresses or CIDR ranges like 10.0.0.0/8 or ::1, got '" +
                            item + "'");
                    ranges.push_back(std::move(item));
                    start = comma + 1;
                }
                into.cfg.*member = std::move(ranges);
            },
        .show =
            [member](const cli_options& from) {
                const auto& ranges = from.cfg.*member;
                if (ranges.empty()) return std::string("off");
                std::vector<std::string_view> views(ranges.begin(), ranges.end());
                return joined(views, ",");
            },
    };
}

option_value file_list(std::vector<std::string> site_tls_settings::*member) {
    return {
        .placeholder = "FILE,...",
        .parse =
            [member](std::string_view text, cli_options& into) {
                std::vector<std::string> files;
                if (!text.empty()) files = comma_list(text);
                for (const std::string& file : files)
                    if (file.empty())
                        throw std::invalid_argument("expected file paths, got an empty one in '" +
                                                    std::string(text) + "'");
                into.tls.*member = std::move(files);
            },
        .show = [member](const cli_options& from) { return comma_joined(from.tls.*member); },
    };
}

option_value request_rate(double config::*per_second) {
    return {
        .placeholder = "RATE",
        .parse =
            [per_second](std::string_view text, cli_options& into) {
                size_t r = text.find("r/");
                if (r == std::string_view::npos || r + 3 != text.size() ||
                    (!text.ends_with('s') && !text.ends_with('m')))
                    throw std::invalid_argument("expected a rate like 10r/s or 600r/m, got '" +
                                                std::string(text) + "'");
                uint64_t n = parse_count(text.substr(0, r));
                if (n == 0)
                    throw std::invalid_argument("expected a rate above 0, got '" +
                                                std::string(text) + "'");
                into.cfg.*per_second = text.ends_with('s') ? double(n) : double(n) / 60.0;
            },
        .show =
            [per_second](const cli_options& from) {
                double rate = from.cfg.*per_second;
                if (rate == 0) return std::string("off");
                if (rate == std::floor(rate)) return format_count(uint64_t(rate)) + "r/s";
                return format_count(uint64_t(std::lround(rate * 60))) + "r/m";
            },
    };
}

namespace {

constexpr int64_t ten_years_s = 315'360'000;  // nginx's `expires max`

// The time form of `expires`; a mistyped word gets told the words too.
uint64_t expiry_time_ms(std::string_view text) {
    uint64_t ms = 0;
    try {
        ms = parse_duration_ms(text);
    } catch (const std::invalid_argument&) {
        throw std::invalid_argument("expected off, epoch, max or a time like 30s or 1h, got '" +
                                    std::string(text) + "'");
    }
    if (ms > uint64_t(ten_years_s) * 1000)
        throw std::invalid_argument("expected at most ten years ('max'), got '" +
                                    std::string(text) + "'");
    return ms;
}

}  // namespace

option_value expiry(std::optional<int64_t> static_files_options::*seconds) {
    return {
        .placeholder = "off|epoch|max|TIME",
        .parse =
            [seconds](std::string_view text, cli_options& into) {
                std::optional<int64_t>& expires = into.files.*seconds;
                if (text == "off") {
                    expires.reset();
                } else if (text == "epoch") {
                    expires = -1;
                } else if (text == "max") {
                    expires = ten_years_s;
                } else {
                    expires = int64_t(expiry_time_ms(text) / 1000);
                }
            },
        .show =
            [seconds](const cli_options& from) {
                const std::optional<int64_t>& expires = from.files.*seconds;
                if (!expires) return std::string("off");
                if (*expires < 0) return std::string("epoch");
                if (*expires == ten_years_s) return std::string("max");
                return format_duration_ms(uint64_t(*expires) * 1000);
            },
    };
}

option_value index_files(std::vector<std::string> static_files_options::*names) {
    return {
        .placeholder = "FILE,...",
        .parse =
            [names](std::string_view text, cli_options& into) {
                std::vector<std::string> files = comma_list(text);
                for (const std::string& name : files)
                    // A name inside the directory asked for: nginx's absolute and relative
                    // paths (internal redirects) have no meaning here.
                    if (name.empty() || name == "." || name == ".." ||
                        name.find('/') != std::string::npos)
                        throw std::invalid_argument(
                            "expected file names like index.html,index.htm, got '" + name + "'");
                into.files.*names = std::move(files);
            },
        .show = [names](const cli_options& from) { return comma_joined(from.files.*names); },
    };
}

}  // namespace ringhttpd::app
