#include "handlers/byte_ranges.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "http/text.hpp"

namespace ringhttpd::handlers {
namespace {

std::optional<uint64_t> number(std::string_view text) {
    uint64_t n = 0;
    if (text.empty()) return std::nullopt;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return n;
}

// Sorts and merges overlapping or adjacent ranges.
std::vector<byte_range> coalesce(std::vector<byte_range> ranges) {
    std::sort(ranges.begin(), ranges.end(),
              [](const byte_range& a, const byte_range& b) { return a.first < b.first; });
    std::vector<byte_range> merged;
    for (const byte_range& r : ranges) {
        if (!merged.empty() && r.first <= merged.back().last + 1) {
            merged.back().last = std::max(merged.back().last, r.last);
        } else {
            merged.push_back(r);
        }
    }
    return merged;
}

bool overlapping(const std::vector<byte_range>& ranges) {
    for (size_t i = 0; i < ranges.size(); ++i)
        for (size_t j = i + 1; j < ranges.size(); ++j)
            if (ranges[i].first <= ranges[j].last && ranges[j].first <= ranges[i].last) return true;
    return false;
}

}  // namespace

range_request parse_range(std::string_view header, uint64_t size) {
    range_request out;
    header = http::trim_ows(header);
    size_t eq = header.find('=');
    if (eq == std::string_view::npos ||
        !http::iequals(http::trim_ows(header.substr(0, eq)), "bytes"))
        return out;
    std::string_view specs = header.substr(eq + 1);
    std::vector<byte_range> satisfiable;
    size_t seen = 0;
    for (size_t pos = 0; pos <= specs.size();) {
        size_t comma = std::min(specs.find(',', pos), specs.size());
        std::string_view spec = http::trim_ows(specs.substr(pos, comma - pos));
        pos = comma + 1;
        if (spec.empty()) continue;  // empty list elements are allowed ("bytes=0-1,,2-3")
        if (++seen > 4 * max_ranges) return out;  // absurd: ignore the header
        size_t dash = spec.find('-');
        if (dash == std::string_view::npos) return out;
        std::string_view left = http::trim_ows(spec.substr(0, dash));
        std::string_view right = http::trim_ows(spec.substr(dash + 1));
        if (left.empty()) {  // "-N": the last N bytes
            auto suffix = number(right);
            if (!suffix) return out;
            if (*suffix == 0 || size == 0) continue;  // unsatisfiable
            satisfiable.push_back({size - std::min(*suffix, size), size - 1});
            continue;
        }
        auto first = number(left);
        std::optional<uint64_t> last;
        if (!right.empty() && !(last = number(right))) return out;
        if (!first || (last && *last < *first)) return out;  // invalid: ignore the header
        if (*first >= size) continue;                        // unsatisfiable
        satisfiable.push_back({*first, last ? std::min(*last, size - 1) : size - 1});
    }
    if (seen == 0) return out;
    if (satisfiable.empty()) {
        out.result = range_request::kind::unsatisfiable;
        return out;
    }
    if (satisfiable.size() > 1 && overlapping(satisfiable)) satisfiable = coalesce(satisfiable);
    if (satisfiable.size() > max_ranges) return out;  // too many to be honest: send it all
    out.result = range_request::kind::satisfiable;
    out.ranges = std::move(satisfiable);
    return out;
}

}  // namespace ringhttpd::handlers
