#include "handlers/gzip.hpp"

#include <zlib.h>

namespace ringhttpd::handlers {

std::optional<std::string> gzip_compress(std::string_view data) {
    z_stream stream{};
    constexpr int gzip_window_bits = 15 + 16;  // 15-bit window, gzip wrapper instead of zlib's
    if (deflateInit2(&stream, 6, Z_DEFLATED, gzip_window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return std::nullopt;
    std::string out(deflateBound(&stream, uLong(data.size())), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = uInt(out.size());
    const int result = deflate(&stream, Z_FINISH);  // the bound guarantees one call suffices
    out.resize(stream.total_out);
    deflateEnd(&stream);
    if (result != Z_STREAM_END) return std::nullopt;
    return out;
}

}  // namespace ringhttpd::handlers
