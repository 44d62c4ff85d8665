// libFuzzer target: arbitrary bytes through the same parse -> route -> respond path the server
// runs (http::session with the real router, built-in endpoints and static files), split into
// reads at points chosen by the input, with no sockets. The "reactor" here drains output the way
// the real one does, so backpressure, pipelining and error paths all run.
//
// Input layout: the first byte seeds the read sizes; the rest is the byte stream.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "app/api.hpp"
#include "http/session.hpp"
#include "ringhttpd/static_files.hpp"

using namespace ringhttpd;

namespace {

// Ring 0's context: the file cache lives in its storage, across inputs as on a real ring.
const context& ring_context() {
    static ring_storage storage;
    static const context ring{0, &storage, {}};
    return ring;
}

const http::session_context& session_context() {
    static router routes = [] {
        router r;
        app::add_builtin_routes(r);
        r.set_fallback(static_files(RINGHTTPD_STATIC_DIR).handler());
        return r;
    }();
    static http::session_context ctx = [] {
        http::session_context c;
        c.dispatch = [](request& req, const context& ring) { return routes.dispatch(req, ring); };
        c.limits.max_body_size = 64 * 1024;  // small limits reach the 413/414/431 paths sooner
        c.limits.max_request_line = 1024;
        c.limits.max_header_size = 4096;
        c.keepalive_requests = 50;
        return c;
    }();
    return ctx;
}

// What the reactor does with queued output: "send" it all, then tell the session.
void drain(http::session& s, io::connection_control& conn) {
    for (int round = 0; round < 64 && !conn.out.empty(); ++round) {
        while (!conn.out.empty()) conn.out.pop_front();
        s.on_output_drained(conn);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    uint32_t seed = data[0];
    std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);

    auto s = std::make_unique<http::session>(session_context(), ring_context());
    io::connection_control conn;
    conn.now_ms = 1000;
    while (!stream.empty() && !conn.close_after_output) {
        seed = seed * 1103515245u + 12345u;
        size_t n = std::min<size_t>(stream.size(), 1 + (seed >> 16) % 97);
        conn.now_ms += 7;
        s->on_receive(conn, stream.substr(0, n));
        stream.remove_prefix(n);
        drain(*s, conn);
        if (s->idle() && conn.out.empty())
            s = std::make_unique<http::session>(session_context(), ring_context());
    }
    if (conn.deadline_ms) {
        s->on_timeout(conn);
        drain(*s, conn);
    }
    return 0;
}
