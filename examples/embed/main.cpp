// An application that embeds ringhttpd: its own routes on the ring and on the worker pool, a
// per-ring counter, and a static directory for everything else.
//
//     embed_example [PORT [WWW_DIR]]     (port 0: any free port; it prints the one it got)
//
// Stops at once on SIGINT or SIGTERM, and drains (finishes what is in flight) on SIGQUIT.

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>

#include <ringhttpd/router.hpp>
#include <ringhttpd/server.hpp>
#include <ringhttpd/static_files.hpp>

namespace {

// Requests this ring has answered on /count: per-ring state, so no lock and no shared cache
// line between the rings.
struct ring_counter {
    unsigned long requests = 0;
};

ringhttpd::router make_routes(const std::string& www) {
    ringhttpd::router routes;

    // Runs on the ring: it never blocks.
    routes.add(ringhttpd::http_method::get, "/hello/{name}", [](const ringhttpd::request& req) {
        return ringhttpd::response::text(200, "hello, " + std::string(*req.param("name")) + "\n");
    });

    // Per-ring storage through the context.
    routes.add(ringhttpd::http_method::get, "/count",
               [](const ringhttpd::request&, const ringhttpd::context& ctx) {
                   static const char owner = 0;  // any address unique to this handler
                   auto& counter = ctx.storage->get<ring_counter>(
                       &owner, [] { return std::make_shared<ring_counter>(); });
                   return ringhttpd::response::text(
                       200, "ring " + std::to_string(ctx.ring) + " answered " +
                                std::to_string(++counter.requests) + " requests here\n");
               });

    // Blocks (a slow backend, here a sleep), so it runs on the worker pool; the ring serves
    // everyone else meanwhile. It gives up when the server stops.
    routes.add(
        ringhttpd::http_method::get, "/report",
        [](const ringhttpd::request&, const ringhttpd::context& ctx) {
            if (!ringhttpd::sleep_unless_stopped(ctx, std::chrono::milliseconds(50)))
                return ringhttpd::response::error(503);
            return ringhttpd::response::json(200, R"({"report":"ready"})");
        },
        ringhttpd::runs_on::worker_pool);

    // Everything else: files under `www`, with validators, ranges and compression.
    ringhttpd::static_files files(www, {.autoindex = true});
    routes.set_fallback(files.handler());
    return routes;
}

}  // namespace

int main(int argc, char** argv) {
    ringhttpd::config cfg;
    ringhttpd::listen_address address;  // 127.0.0.1:8080
    if (argc > 1) address.port = uint16_t(std::strtoul(argv[1], nullptr, 10));
    cfg.listen = {address};
    cfg.threads = 2;
    const std::string www = argc > 2 ? argv[2] : "www";

    // The server's threads inherit this mask, so only sigwait below sees these signals.
    sigset_t signals;
    sigemptyset(&signals);
    for (int sig : {SIGINT, SIGTERM, SIGQUIT}) sigaddset(&signals, sig);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    try {
        ringhttpd::server server(cfg, make_routes(www));
        server.start();
        std::printf("listening on port %u\n", unsigned(server.port()));
        std::fflush(stdout);
        int sig = 0;
        sigwait(&signals, &sig);
        if (sig == SIGQUIT) {
            server.drain();
        } else {
            server.stop();
        }
        server.wait();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "embed_example: %s\n", e.what());
        return 1;
    }
}
