#include "app/did_you_mean.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

namespace ringhttpd::app {
namespace {

// Levenshtein distance: insertions, deletions and substitutions, one row at a time.
size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), size_t{0});
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t substituted = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            diagonal = row[j];
            row[j] = std::min({substituted, row[j] + 1, row[j - 1] + 1});
        }
    }
    return row[b.size()];
}

}  // namespace

std::string_view closest_name(std::string_view typed,
                              std::span<const std::string_view> candidates) {
    const size_t close_enough = std::max<size_t>(2, typed.size() / 3);
    std::string_view best;
    size_t best_distance = close_enough + 1;
    for (std::string_view candidate : candidates) {
        size_t d = edit_distance(typed, candidate);
        if (d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view typed, std::span<const std::string_view> candidates) {
    const std::string_view near = closest_name(typed, candidates);
    return near.empty() ? "" : " (did you mean " + std::string(near) + "?)";
}

}  // namespace ringhttpd::app
