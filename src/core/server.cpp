#include "ringhttpd/server.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/access_log.hpp"
#include "core/listener_set.hpp"
#include "core/live_routes.hpp"
#include "core/ring_observer.hpp"
#include "http/client_limits.hpp"
#include "http/ring_counters.hpp"
#include "http/session.hpp"
#include "io/listener.hpp"
#include "io/reactor.hpp"
#include "io/ring_setup.hpp"
#include "io/worker_pool.hpp"
#include "tls/contexts.hpp"
#include "tls/ktls_probe.hpp"
#include "tls/stream.hpp"
#include "tls/ticket_keys.hpp"

namespace ringhttpd {
namespace {

// The CPUs this process may run on (taskset, cgroup cpusets), in order.
std::vector<int> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> cpus;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
            if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
    if (cpus.empty()) cpus.push_back(0);
    return cpus;
}

// Every connection is a descriptor, and serving a file briefly takes another: leave some room.
size_t default_max_connections() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return 1'000'000;
    return lim.rlim_cur > 80 ? size_t(lim.rlim_cur) - 64 : 16;
}

// Blocking work mostly waits (disk, sleeps, other services), so twice the cores keeps the CPUs
// busy while some workers wait; the cap keeps a large machine from starting hundreds.
unsigned default_workers(size_t cpus) {
    return unsigned(std::clamp<size_t>(2 * cpus, 4, 64));
}

void pin_current_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (int err = pthread_setaffinity_np(pthread_self(), sizeof set, &set); err != 0)
        spdlog::warn("could not pin ring thread to CPU {}: {}", cpu, strerror(err));
}

io::wake_mode wake_mode_of(worker_wake wake) {
    switch (wake) {
        case worker_wake::msg_ring:
            return io::wake_mode::msg_ring;
        case worker_wake::eventfd:
            return io::wake_mode::eventfd;
        case worker_wake::automatic:
            break;
    }
    return io::wake_mode::automatic;
}

// A 400 with nginx's words for what went wrong at the TLS layer, and a close.
void write_tls_bad_request(io::output_queue& out, std::string_view text, const config& c) {
    response res = response::text(400, "400 Bad Request: " + std::string(text) + "\n");
    res.close_connection = true;
    http::response_framing framing;
    framing.keep_alive = false;
    framing.security_headers = c.security_headers;
    framing.server_tokens = c.server_tokens;
    http::write_response(out, std::move(res), framing);
}

bool any_tls(const std::vector<listen_address>& addresses) {
    return std::any_of(addresses.begin(), addresses.end(),
                       [](const listen_address& a) { return a.tls; });
}

http::real_ip_rule real_ip_rule_of(const config& c) {
    http::real_ip_rule rule;
    for (const std::string& text : c.real_ip_from) {
        auto range = http::address_range::parse(text);
        if (!range)
            throw std::runtime_error("real_ip_from: '" + text +
                                     "' is not an address or a CIDR range like 10.0.0.0/8");
        rule.trusted.push_back(*range);
    }
    if (c.real_ip_header == "X-Real-IP") {
        rule.header = http::real_ip_header::x_real_ip;
    } else if (c.real_ip_header != "X-Forwarded-For") {
        throw std::runtime_error("real_ip_header: expected X-Forwarded-For or X-Real-IP, got '" +
                                 c.real_ip_header + "'");
    }
    return rule;
}

// What the handlers on one ring share: its storage, the context that points to it, and the
// routes it answers with.
struct ring_state {
    // Declared first, destroyed last: what the handlers left in the storage may point into
    // the routes.
    core::live_routes::ring_view routes;
    ring_storage storage;
    context handler_context;
    http::ring_counters counters;  // bound to the ring's thread
    // Makes the handlers of connections to TLS listeners: a TLS stream around a session.
    std::shared_ptr<const io::stream_handler_factory> tls_factory;
    tls::counters tls_counters;  // of those TLS streams
};

}  // namespace

struct server::impl {
    explicit impl(router r) : routes(std::move(r)) {}

    config cfg;
    core::live_routes routes;
    http::session_context session_ctx;
    std::shared_ptr<http::client_limits> limits;  // shared by every ring
    // Declared before the reactors: their sessions report to the observers, and those to the log.
    std::unique_ptr<core::access_log> access_log;
    std::vector<std::unique_ptr<core::ring_observer>> observers;
    std::unique_ptr<io::connection_gate> proxy_gate;  // limit_conn behind trusted proxies
    std::atomic<size_t> open_connections{0};          // shared by every ring
    size_t max_connections = 0;
    // Declared before the reactors, whose sessions point to them, and before the pool, whose
    // work may use what the storage holds.
    std::vector<std::unique_ptr<ring_state>> rings;
    std::vector<std::unique_ptr<io::reactor>> reactors;
    std::vector<std::thread> threads;
    // Declared after the reactors, so destroyed before them: workers post into their inboxes.
    std::unique_ptr<io::worker_pool> pool;
    core::listener_set listeners;  // guarded by reactors_mutex once serving
    io::ring_info ring;
    io::kernel_compat compat;  // RINGHTTPD_KERNEL_COMPAT
    bool wakes_by_msg_ring = false;
    bool checks_page_cache = false;  // cachestat before sendfile
    // The certificates new TLS connections get; a reload swaps them while rings read them.
    std::atomic<std::shared_ptr<const tls::contexts>> tls;
    // Session ticket keys, made at start and kept by every reload's contexts, so sessions
    // resume across a reload.
    std::shared_ptr<tls::ticket_keys> tickets;
    tls::stream_settings tls_settings;
    // config::tls_ktls decided against the kernel once, by the first load of certificates.
    std::optional<bool> kernel_tls_send;

    // The contexts for `certificates`; null when there are none and no listener needs them.
    // Throws naming the file that does not load, or when tls_ktls = on finds no kTLS.
    std::shared_ptr<const tls::contexts> load_tls(const std::vector<tls_certificate>& certificates,
                                                  bool needed) {
        if (certificates.empty() && !needed) return nullptr;
        if (!kernel_tls_send) kernel_tls_send = tls::kernel_tls_send_chosen(cfg.tls_ktls);
        return std::make_shared<const tls::contexts>(certificates, cfg.tls_ciphers, tickets,
                                                     *kernel_tls_send);
    }

    // Gives the sockets of TLS addresses their ring's TLS factory.
    void attach_tls(std::vector<std::vector<io::listener>>& by_ring) {
        for (size_t i = 0; i < by_ring.size(); ++i)
            for (io::listener& l : by_ring[i])
                if (listen_address::parse(l.name).tls) l.factory = rings[i]->tls_factory;
    }
    // stop() and drain() may come from any thread while wait() tears the reactors down.
    std::mutex reactors_mutex;
};

server::server(config cfg, router routes) : impl_(std::make_unique<impl>(std::move(routes))) {
    impl_->cfg = std::move(cfg);
    const config& settings = impl_->cfg;
    impl_->tls_settings.bad_request = [&settings](io::output_queue& out, std::string_view text) {
        write_tls_bad_request(out, text, settings);
    };
    impl_->tls_settings.handshake_timeout_ms = settings.client_header_timeout_ms;
    impl_->tls_settings.first_request_timeout_ms = settings.client_header_timeout_ms;
    impl_->tls_settings.keepalive_timeout_ms = settings.keepalive_timeout_ms;
    impl_->tls_settings.handshakes_on_pool = settings.tls_handshake_offload;
    impl_->session_ctx.dispatch = [state = impl_.get()](request& req, const context& ctx) {
        return state->routes.dispatch(state->rings[ctx.ring]->routes, req, ctx);
    };
    impl_->session_ctx.body_limit = [state = impl_.get()](const request& head, const context& ctx) {
        return state->routes.body_limit(state->rings[ctx.ring]->routes, head, ctx);
    };
    const config& c = impl_->cfg;
    http::session_context& ctx = impl_->session_ctx;
    ctx.limits = {c.max_request_line, c.max_header_size, c.client_max_body_size};
    ctx.header_timeout_ms = c.client_header_timeout_ms;
    ctx.body_timeout_ms = c.client_body_timeout_ms;
    ctx.keepalive_requests = c.keepalive_requests;
    ctx.keepalive = c.keepalive_timeout_ms > 0;
    ctx.security_headers = c.security_headers;
    ctx.server_tokens = c.server_tokens;
    ctx.real_ip = real_ip_rule_of(c);
    if (c.limit_req_rate > 0 || c.limit_conn > 0) {
        http::client_limit_config limit_cfg;
        limit_cfg.rate_per_s = c.limit_req_rate;
        limit_cfg.burst = c.limit_req_burst;
        limit_cfg.max_connections = c.limit_conn;
        impl_->limits = std::make_shared<http::client_limits>(limit_cfg);
        if (c.limit_req_rate > 0) ctx.rate_limit = impl_->limits.get();
        ctx.rate_limit_status = c.limit_req_status;
        if (c.limit_conn > 0 && !ctx.real_ip.trusted.empty()) {
            impl_->proxy_gate =
                std::make_unique<http::proxy_aware_gate>(impl_->limits, ctx.real_ip);
            ctx.proxied_in_flight = impl_->limits;
        }
    }
}

server::~server() {
    stop();
    wait();
}

void server::start() {
    const config& cfg = impl_->cfg;
    // Before anything else: a mistyped mask must stop the server, not test the wrong paths.
    impl_->compat = io::kernel_compat_from_environment();
    io::probe_io_uring();
    const std::vector<int> cpus = allowed_cpus();
    const unsigned count = cfg.threads ? cfg.threads : unsigned(cpus.size());
    // Before any socket is opened: a certificate that does not load stops the start.
    impl_->tickets = std::make_shared<tls::ticket_keys>(
        std::chrono::milliseconds(cfg.tls_session_ticket_rotate_ms));
    impl_->tls = impl_->load_tls(cfg.tls_certificates, any_tls(cfg.listen));
    auto listeners = impl_->listeners.open_new(cfg.listen, count, cfg.listen_backlog);
    impl_->listeners.drop_inherited();  // handed over for addresses no longer listed: closed

    impl_->pool = std::make_unique<io::worker_pool>(
        cfg.workers ? cfg.workers : default_workers(cpus.size()), cfg.worker_queue);

    io::reactor_options options;
    options.pool = impl_->pool.get();
    options.wake = wake_mode_of(cfg.wake);
    options.compat = impl_->compat;
    options.ring_entries = cfg.ring_entries;
    options.recv_buffers = cfg.recv_buffers;
    options.recv_buffer_size = cfg.recv_buffer_size;
    options.shutdown_timeout_ms = cfg.shutdown_timeout_ms;
    options.first_request_timeout_ms = cfg.client_header_timeout_ms;
    options.keepalive_timeout_ms = cfg.keepalive_timeout_ms;
    options.send_timeout_ms = cfg.send_timeout_ms;
    // Every request carries its client's address (request::client), for the limits of the
    // server, its sites and locations (those may come with a reload).
    options.track_peers = true;
    impl_->max_connections = cfg.max_connections ? cfg.max_connections : default_max_connections();
    options.open_connections = &impl_->open_connections;
    options.max_connections = impl_->max_connections;
    if (cfg.limit_conn > 0)
        options.gate = impl_->proxy_gate ? impl_->proxy_gate.get()
                                         : static_cast<io::connection_gate*>(impl_->limits.get());
    if (cfg.access_log != "off") {
        core::access_log_options log;
        log.destination = cfg.access_log;
        log.format = cfg.log_format == access_log_format::json ? http::log_format::json
                                                               : http::log_format::combined;
        log.rotate_size = cfg.access_log_rotate_size;
        log.rotate_files = cfg.access_log_rotate_files;
        impl_->access_log = std::make_unique<core::access_log>(std::move(log), count);
    }
    // Without a log or metrics no ring has an observer, and sessions skip the reporting.
    if (impl_->access_log || cfg.metrics) {
        for (unsigned i = 0; i < count; ++i) {
            impl_->observers.push_back(
                std::make_unique<core::ring_observer>(i, impl_->access_log.get(), cfg.metrics));
            impl_->session_ctx.observers.push_back(impl_->observers.back().get());
        }
    }
    const http::session_context* shared = &impl_->session_ctx;
    std::vector<io::stream_handler_factory> factories;
    for (unsigned i = 0; i < count; ++i) {
        auto& ring = *impl_->rings.emplace_back(std::make_unique<ring_state>());
        ring.handler_context = {i, &ring.storage, impl_->pool->stop_token()};
        const context* ring_ctx = &ring.handler_context;
        factories.push_back([shared, ring_ctx]() -> std::unique_ptr<io::stream_handler> {
            return std::make_unique<http::session>(*shared, *ring_ctx);
        });
        ring.tls_factory = std::make_shared<const io::stream_handler_factory>(
            [state = impl_.get(), counted = &ring.tls_counters, session = factories.back()] {
                return std::make_unique<tls::stream>(state->tls.load(), state->tls_settings,
                                                     *counted, session());
            });
    }
    impl_->attach_tls(listeners);
    for (unsigned i = 0; i < count; ++i)
        impl_->reactors.push_back(
            std::make_unique<io::reactor>(std::move(listeners[i]), options, factories[i]));

    std::vector<std::future<void>> ready;
    for (unsigned i = 0; i < count; ++i) {
        std::promise<void> started;
        ready.push_back(started.get_future());
        io::reactor* r = impl_->reactors[i].get();
        http::ring_counters* counters = &impl_->rings[i]->counters;
        const int cpu = cpus[i % cpus.size()];
        impl_->threads.emplace_back([r, counters, cpu, started = std::move(started)]() mutable {
            pin_current_thread(cpu);
            http::bind_ring_counters(*counters);
            try {
                r->init();  // on this thread: the ring is single-issuer
            } catch (...) {
                started.set_exception(std::current_exception());
                return;
            }
            started.set_value();
            r->run();
        });
    }
    std::exception_ptr failure;
    for (auto& f : ready) {
        try {
            f.get();
        } catch (...) {
            if (!failure) failure = std::current_exception();
        }
    }
    if (failure) {
        stop();
        wait();
        std::rethrow_exception(failure);
    }
    impl_->ring = impl_->reactors.front()->info();
    impl_->wakes_by_msg_ring = impl_->reactors.front()->wakes_by_msg_ring();
    impl_->checks_page_cache = impl_->reactors.front()->checks_page_cache();
}

void server::inherit_listeners(const std::string& address, std::vector<unique_fd> sockets) {
    impl_->listeners.inherit(address, std::move(sockets));
}

uint16_t server::port() const {
    return impl_->listeners.first_tcp_port();
}

std::string server::describe() const {
    const config& cfg = impl_->cfg;
    std::string addresses;
    for (const listen_address& address : cfg.listen) {
        listen_address bound = address;
        bound.port = impl_->listeners.bound_port(address);
        bound.tls = false;  // said by the scheme
        const std::string scheme = address.tls ? "https://" : "http://";
        std::string text = bound.is_unix() ? address.text() : scheme + bound.text();
        // Which path encrypts what a TLS listener sends, asked of the kernel once at startup.
        if (address.tls)
            text += impl_->kernel_tls_send.value_or(false) ? " (kTLS send)" : " (user-space TLS)";
        if (addresses.find(text) == std::string::npos)
            addresses += (addresses.empty() ? "" : ", ") + text;
    }
    return fmt::format(
        "listening on {} threads={} workers={} worker_queue={} worker_wake={} "
        "max_connections={} ring_flags={} buffer_ring={}x{}B io_uring_features={} "
        "page_cache_check={} compat={}",
        addresses, impl_->rings.size(), impl_->pool->threads(), impl_->pool->queue_capacity(),
        impl_->wakes_by_msg_ring ? "msg_ring" : "eventfd", impl_->max_connections,
        io::describe_flags(impl_->ring.flags), cfg.recv_buffers, cfg.recv_buffer_size,
        io::describe_features(impl_->ring), impl_->checks_page_cache ? "cachestat" : "off",
        impl_->compat.describe());
}

std::vector<std::pair<std::string, std::vector<int>>> server::listening_sockets() const {
    std::lock_guard lock(impl_->reactors_mutex);
    return impl_->listeners.sockets();
}

void server::keep_socket_files() {
    std::lock_guard lock(impl_->reactors_mutex);
    impl_->listeners.keep_socket_files();
}

void server::set_listeners(const std::vector<listen_address>& addresses) {
    std::lock_guard lock(impl_->reactors_mutex);
    const unsigned rings = unsigned(impl_->reactors.size());
    if (any_tls(addresses) && !impl_->tls.load())
        throw std::runtime_error(
            "a listener is marked tls but no certificate is configured: set tls_certificate "
            "and tls_certificate_key");
    auto added = impl_->listeners.open_new(addresses, rings, impl_->cfg.listen_backlog);
    impl_->attach_tls(added);
    const std::vector<std::string_view> removed = impl_->listeners.remove_all_but(addresses);
    for (unsigned i = 0; i < rings; ++i)
        impl_->reactors[i]->change_listeners(std::move(added[i]), removed);
    impl_->cfg.listen = addresses;
}

void server::set_tls_certificates(std::vector<tls_certificate> certificates) {
    std::lock_guard lock(impl_->reactors_mutex);
    // A TLS listener may come with this reload, or stay from the last: either needs one.
    const bool needed = any_tls(impl_->cfg.listen) || impl_->tls.load() != nullptr;
    if (!impl_->tickets)  // certificates given before start()
        impl_->tickets = std::make_shared<tls::ticket_keys>(
            std::chrono::milliseconds(impl_->cfg.tls_session_ticket_rotate_ms));
    impl_->tls.store(impl_->load_tls(certificates, needed));
    impl_->cfg.tls_certificates = std::move(certificates);
}

void server::set_routes(router routes) {
    impl_->routes.replace(std::move(routes));
}

server_stats server::stats() const {
    std::lock_guard lock(impl_->reactors_mutex);  // the reactors stay while they are read
    server_stats out;
    out.requests_counted = impl_->cfg.metrics;
    out.rings = unsigned(impl_->rings.size());
    std::vector<uint64_t> requests(core::request_metrics::request_slots);
    for (const auto& observer : impl_->observers) observer->metrics().add_to(out, requests);
    core::request_metrics::add_requests(out, requests);
    for (const auto& r : impl_->reactors) {
        out.accepted_connections += r->counters().accepted.get();
        out.recv_no_buffers += r->counters().recv_no_buffers.get();
    }
    for (const auto& ring : impl_->rings) {
        out.limit_req_refused += ring->counters.limit_req_refused.get();
        out.limit_conn_refused += ring->counters.limit_conn_refused.get();
        out.file_cache_hits += ring->counters.file_cache_hits.get();
        out.file_cache_misses += ring->counters.file_cache_misses.get();
        ring->tls_counters.add_to(out.tls);
    }
    out.open_connections = impl_->open_connections.load(std::memory_order_relaxed);
    if (impl_->pool) {
        const io::worker_pool_stats pool = impl_->pool->stats();
        out.pool_queued = pool.queued;
        out.pool_submitted = pool.submitted;
        out.pool_rejected = pool.rejected;
        out.pool_threads = impl_->pool->threads();
        out.pool_queue_capacity = impl_->pool->queue_capacity();
    }
    if (impl_->access_log) out.log_lines_dropped = impl_->access_log->dropped_lines();
    return out;
}

void server::rearm_accepts() {
    std::lock_guard lock(impl_->reactors_mutex);
    for (auto& r : impl_->reactors) r->rearm_accepts();
}

void server::reopen_logs() {
    if (impl_->access_log) impl_->access_log->reopen();
}

void server::stop() {
    {
        std::lock_guard lock(impl_->reactors_mutex);
        for (auto& r : impl_->reactors) r->request_stop();
    }
    if (impl_->pool) impl_->pool->abandon();  // queued work is dropped, sleeps are cut short
}

void server::drain() {
    std::lock_guard lock(impl_->reactors_mutex);
    for (auto& r : impl_->reactors) r->request_drain();
}

void server::wait() {
    for (auto& t : impl_->threads)
        if (t.joinable()) t.join();
    // The rings are done (a drain waited for every pending result): nothing is queued now.
    if (impl_->pool) impl_->pool->finish();
    // Closes every socket, the listeners too: once wait() returns, clients see the server gone
    // rather than a connection that never answers.
    std::lock_guard lock(impl_->reactors_mutex);
    impl_->reactors.clear();
    impl_->listeners.remove_all();
}

}  // namespace ringhttpd
