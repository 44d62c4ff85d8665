#pragma once
// The Range header (RFC 9110 §14.2): "bytes=0-99", "bytes=500-", "bytes=-200", lists of them.
// A header that does not parse, or uses another unit, is ignored (the full 200 is sent), as the
// RFC says. Overlapping ranges are merged and too many ranges are ignored, so a request cannot
// make the server send the same bytes over and over.

#include <cstdint>
#include <string_view>
#include <vector>

namespace ringhttpd::handlers {

struct byte_range {
    uint64_t first = 0;
    uint64_t last = 0;  // inclusive
    uint64_t length() const { return last - first + 1; }
};

struct range_request {
    enum class kind { ignore, satisfiable, unsatisfiable };
    kind result = kind::ignore;
    std::vector<byte_range> ranges;  // when satisfiable: in the order asked, clamped to the size
};

constexpr size_t max_ranges = 64;

range_request parse_range(std::string_view header, uint64_t size);

}  // namespace ringhttpd::handlers
