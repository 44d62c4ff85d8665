// Differential libFuzzer target: for any byte stream, every request the parser hands over must
// span exactly the bytes that the reference framing rules (reference_framing.hpp) take for one
// request, and the parser must never wait for more bytes where the reference sees a whole
// request. The parser may reject more than the reference (it also checks Host, limits,
// methods...); it may never draw a message boundary elsewhere, which is what request
// smuggling needs.
//
// Input layout: the first byte seeds the read sizes; the rest is the byte stream.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "http/request_parser.hpp"
#include "reference_framing.hpp"

using namespace ringhttpd;
using fuzz::frame;

namespace {

[[noreturn]] void disagree(std::string_view message, std::string_view stream, size_t parser_end,
                           const frame& ref) {
    std::fprintf(stderr, "framing disagreement: %.*s\nparser: %zu bytes, reference: %s %zu\n",
                 int(message.size()), message.data(), parser_end,
                 ref.result == frame::kind::complete     ? "complete"
                 : ref.result == frame::kind::incomplete ? "incomplete"
                                                         : "invalid",
                 ref.length);
    std::fprintf(stderr, "message: %.*s\n", int(stream.size()), stream.data());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    uint32_t seed = data[0];
    const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
    http::parser_limits limits;
    limits.max_body_size = 1 << 20;
    http::request_parser parser(limits);

    size_t message_start = 0, pos = 0;
    while (pos < stream.size()) {
        seed = seed * 1103515245u + 12345u;
        const size_t n = std::min<size_t>(stream.size() - pos, 1 + (seed >> 16) % 61);
        size_t consumed = 0;
        const auto result = parser.feed(stream.substr(pos, n), consumed);
        pos += consumed;
        if (result == http::request_parser::result::error) return 0;
        if (result == http::request_parser::result::request_ready) {
            const std::string_view message = stream.substr(message_start);
            const frame ref = fuzz::reference_frame(message);
            if (ref.result != frame::kind::complete || ref.length != pos - message_start)
                disagree("the parser completed a request", message, pos - message_start, ref);
            parser.next();
            message_start = pos;
        }
    }
    // Everything was read and the parser wants more: the reference must not see a whole request.
    const std::string_view rest = stream.substr(message_start);
    const frame ref = fuzz::reference_frame(rest);
    if (ref.result == frame::kind::complete) disagree("the parser waits for more", rest, 0, ref);
    return 0;
}
