#pragma once
// Suggestions for mistyped names ("--keepalive-timout": did you mean --keepalive-timeout?), for
// the command line now and the config file's keys later.

#include <span>
#include <string>
#include <string_view>

namespace ringhttpd::app {

// The candidate closest to `typed` by edit distance, if it is close enough to be a typo of it
// (a third of its letters, at least two); else empty.
std::string_view closest_name(std::string_view typed, std::span<const std::string_view> candidates);
// " (did you mean NAME?)" with that candidate, or "" when none is close.
std::string did_you_mean(std::string_view typed, std::span<const std::string_view> candidates);

}  // namespace ringhttpd::app
