#pragma once
// An independent statement of HTTP/1.1 request framing (RFC 9112 §2-§7), written for the
// differential fuzzer: where does a request that starts at the front of `in` end? Plain code,
// no llhttp, no speed concerns; it checks syntax only as far as framing depends on it.

#include <cstddef>
#include <string_view>

namespace ringhttpd::fuzz {

struct frame {
    enum class kind { complete, incomplete, invalid };
    kind result = kind::invalid;
    size_t length = 0;  // complete: the bytes of the request, leading empty lines included
};

frame reference_frame(std::string_view in);

}  // namespace ringhttpd::fuzz
