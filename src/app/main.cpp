// ringhttpd entry point: parse flags, set up logging and signals, build the routes, run the
// server until a signal says otherwise.

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>

#if RINGHTTPD_WITH_MIMALLOC
#include <mimalloc.h>
#endif

#include "app/app_routes.hpp"
#include "app/cli.hpp"
#include "app/config_file.hpp"
#include "app/error_log.hpp"
#include "app/healthcheck.hpp"
#include "app/monitor.hpp"
#include "app/options_reference.hpp"
#include "app/reloader.hpp"
#include "app/systemd_notify.hpp"
#include "app/tls_settings.hpp"
#include "app/upgrade.hpp"
#include "io/listener.hpp"
#include "ringhttpd/server.hpp"
#include "tls/contexts.hpp"

namespace {

using namespace ringhttpd;

std::string allocator_name() {
#if RINGHTTPD_WITH_MIMALLOC
    int v = mi_version();
    return fmt::format("mimalloc {}.{}.{}", v / 100, (v / 10) % 10, v % 10);
#else
    return "system malloc (sanitizer build)";
#endif
}

// Each connection is a descriptor: raise the soft limit to the hard one, as nginx users set
// worker_rlimit_nofile.
void raise_descriptor_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
    if (lim.rlim_cur < lim.rlim_max) {
        rlimit raised = lim;
        raised.rlim_cur = lim.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
    }
    spdlog::info("open file limit: {}", lim.rlim_cur);
}

sigset_t handled_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig :
         {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, app::old_process_gone_signal()})
        sigaddset(&set, sig);
    return set;
}

// How long an upgrade waits for the new binary to serve before it gives up on it.
constexpr unsigned upgrade_timeout_ms = 30'000;

void drain(server& srv, app::monitor& m) {
    m.start_draining();  // /readyz fails from now on
    srv.drain();
    srv.wait();
    spdlog::info("drained, exiting");
}

// SIGHUP, told to systemd as RELOADING=1 then READY=1 whatever the outcome: a refused reload
// leaves the running configuration serving. MONOTONIC_USEC lets Type=notify-reload (systemd
// 253+) match the reload to the request.
void reload(app::reloader& settings) {
    app::systemd_notify(fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS=reload {}",
                                    app::monotonic_usec(), settings.generation() + 1));
    const bool applied = settings.reload();
    app::systemd_notify(fmt::format("READY=1\nSTATUS=serving; reload {} {}", settings.generation(),
                                    applied ? "applied" : "refused (see the log)"));
}

// Waits for signals until the server has stopped. Returns the process exit status.
int serve_until_signalled(server& srv, app::monitor& m, app::reloader& settings,
                          const std::string& executable, const std::vector<std::string>& args) {
    const sigset_t set = handled_signals();
    while (true) {
        int sig = 0;
        sigwait(&set, &sig);
        if (sig == app::old_process_gone_signal()) {
            spdlog::info("upgrade: the old process has exited; taking what it left queued");
            srv.rearm_accepts();
            continue;
        }
        switch (sig) {
            case SIGINT:
            case SIGTERM:
                spdlog::info("received {}, stopping now", strsignal(sig));
                app::systemd_notify("STOPPING=1\nSTATUS=stopping");
                srv.stop();
                srv.wait();
                return 0;
            case SIGQUIT:
                spdlog::info(
                    "received SIGQUIT: draining (no new connections; in-flight requests finish)");
                app::systemd_notify("STOPPING=1\nSTATUS=draining");
                drain(srv, m);
                return 0;
            case SIGHUP:
                reload(settings);
                break;
            case SIGUSR2:
                spdlog::info("received SIGUSR2: upgrading to {}", executable);
                app::systemd_notify("STATUS=upgrading: starting " + executable);
                if (app::hand_over_to_new_binary(srv, executable, args, upgrade_timeout_ms)) {
                    // No STOPPING=1: the service goes on in the new process, which is the
                    // unit's main process already (it sent MAINPID= before telling us).
                    drain(srv, m);
                    return 0;
                }
                app::systemd_notify("STATUS=serving; the upgrade failed (see the log)");
                break;
            default:  // SIGUSR1, logrotate's postrotate
                spdlog::info("received SIGUSR1: reopening the access log");
                srv.reopen_logs();
        }
    }
}

// What a start would load for TLS: every certificate and key given, and one at least when a
// listener is marked tls. Throws naming the file that fails.
void check_tls(const std::vector<tls_certificate>& certificates, const std::string& ciphers,
               const std::vector<listen_address>& addresses) {
    const bool tls_listener = std::any_of(addresses.begin(), addresses.end(),
                                          [](const listen_address& a) { return a.tls; });
    if (tls_listener || !certificates.empty()) tls::contexts loaded(certificates, ciphers);
}

// -t: what a start would check: the settings, the document root, and that the listen address
// can be bound (without taking it).
int test_configuration(const app::cli_options& options) {
    const std::string what =
        options.config_file.empty() ? "the flags" : "configuration file " + options.config_file;
    try {
        app::monitor unused;
        app::build_routes(options, unused);
        for (const listen_address& address : app::listen_addresses(options))
            io::check_listen_address(address);
        check_tls(app::tls_certificates(options), options.cfg.tls_ciphers,
                  app::listen_addresses(options));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ringhttpd: %s: %s\n", what.c_str(), e.what());
        return 1;
    }
    std::printf("ringhttpd: %s: valid\n", what.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args.front() == "healthcheck")
        return app::run_healthcheck({args.begin() + 1, args.end()});
    app::cli_options options;
    try {
        options = app::load_settings(args);
    } catch (const app::config_error& e) {
        std::fprintf(stderr, "ringhttpd: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ringhttpd: %s\nTry 'ringhttpd --help' for the options.\n", e.what());
        return 2;
    }
    if (options.test_config) return test_configuration(options);
    if (options.dump_config) {
        std::fputs(app::effective_config(options).c_str(), stdout);
        return 0;
    }
    if (options.show_help) {
        std::fputs(app::usage().c_str(), stdout);
        return 0;
    }
    if (options.show_reference) {
        std::fputs(app::reference_markdown().c_str(), stdout);
        return 0;
    }
    if (options.show_version) {
        std::printf("ringhttpd %s\n", RINGHTTPD_VERSION);
        return 0;
    }

    app::start_error_log();
    app::set_error_log_level(options.log_level);
    signal(SIGPIPE, SIG_IGN);
    // Block the handled signals before any thread starts, so every thread inherits the mask and
    // only the main thread's sigwait sees them.
    const sigset_t set = handled_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    raise_descriptor_limit();

    try {
        config cfg = options.cfg;
        cfg.listen = app::listen_addresses(options);
        cfg.metrics = app::counts_requests(options);
        cfg.tls_certificates = app::tls_certificates(options);
        const std::string executable = app::own_executable();
        app::monitor monitor;  // outlives the server, whose routes report to it
        server srv(std::move(cfg), app::build_routes(options, monitor));
        app::take_handed_over_listeners(srv);
        srv.start();
        spdlog::info("ringhttpd {} {} root={} allocator={}", RINGHTTPD_VERSION, srv.describe(),
                     options.root, allocator_name());
        monitor.attach(srv);
        // Before the old process (after an upgrade) hears that we serve and starts to exit:
        // MAINPID= makes this process the unit's main one first (NotifyAccess=all; at a plain
        // start it names the main process already).
        app::systemd_notify(
            fmt::format("READY=1\nMAINPID={}\nSTATUS=serving, {}", getpid(), srv.describe()));
        app::tell_old_process_we_serve();
        app::reloader settings(srv, monitor, args, options);
        return serve_until_signalled(srv, monitor, settings, executable, args);
    } catch (const std::exception& e) {
        spdlog::error("cannot start: {}", e.what());
        return 1;
    }
}
