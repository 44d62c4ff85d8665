#pragma once
// nginx's spelling of numbers, both ways: sizes ("8k", "1m") and times ("500ms", "75s", "1h").
// The parsers take what nginx takes; the formatters write what the parsers read back, so the
// defaults that --help and the docs show are valid values. Errors are std::invalid_argument naming
// the text and what was expected, not the setting: the caller knows which setting it was.

#include <cstdint>
#include <string>
#include <string_view>

namespace ringhttpd::app {

// "512" -> 512: digits only.
uint64_t parse_count(std::string_view text);
// "1m" -> 1048576, "8k" -> 8192, "512" -> 512; suffixes k, m and g in either case.
uint64_t parse_size(std::string_view text);
// "30s" -> 30000, "500ms" -> 500, "2m" -> 120000, "1h" -> 3600000, "10" -> 10000: in ms, and a
// bare number is seconds, as in nginx.
uint64_t parse_duration_ms(std::string_view text);

std::string format_count(uint64_t n);
// The largest of g, m and k that divides `bytes`: 1048576 -> "1m", 1536 -> "1536".
std::string format_size(uint64_t bytes);
// Hours or seconds when they divide `ms`, else milliseconds: 75000 -> "75s", 1500 -> "1500ms".
// Never minutes: "1m" reads as a megabyte next to the sizes.
std::string format_duration_ms(uint64_t ms);

}  // namespace ringhttpd::app
