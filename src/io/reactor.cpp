#include "io/reactor.hpp"

#include "io/file_sender.hpp"
#include "io/ring_message.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

#include <spdlog/spdlog.h>

namespace ringhttpd::io {
namespace {

// One sendfile call sends at most this much, so one large download cannot hold the ring thread
// for long while other connections wait. 2 MiB is nginx's sendfile_max_chunk default. In practice
// the socket's unsent limit below stops a call first: a call queues what the connection can
// transmit at once, plus 16 KB.
constexpr size_t sendfile_max_chunk = 2048 * 1024;

// How many completions one pass handles before it submits what they queued (see run()).
constexpr unsigned flush_every_completions = 8;
constexpr uint16_t buffer_group = 0;
// How long accept waits before retrying after running out of descriptors or memory.
constexpr long long accept_backoff_ns = 100'000'000;
// While timers are pending or a drain runs, the loop wakes at least this often: timeouts fire
// up to this late.
constexpr long long timer_tick_ns = 50'000'000;

// io_uring may complete a send or receive on a non-blocking socket with -EAGAIN (when it ran the
// request on an io-wq thread); such a result means "try again", not "the peer is gone".
bool is_transient(int res) {
    return res == -EAGAIN || res == -EINTR;
}

uint64_t monotonic_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1'000'000;
}

bool is_resource_shortage(int err) {
    return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

}  // namespace

reactor::reactor(std::vector<listener> listeners, reactor_options options,
                 stream_handler_factory factory)
    : acceptors_(std::move(listeners)), options_(options), factory_(std::move(factory)) {
    if (!options_.open_connections) options_.open_connections = &own_open_connections_;
}

reactor::~reactor() {
    // Tearing the ring down cancels whatever is still in flight; only then close the sockets.
    buffers_.reset();
    if (ring_ready_) io_uring_queue_exit(&ring_);
    for (auto& c : slots_)
        if (c.fd >= 0) ::close(c.fd);
}

void reactor::init() {
    info_ = setup_ring(ring_, options_.ring_entries, options_.compat);
    ring_ready_ = true;
    page_cache_ = page_cache_check(options_.compat.allows(kernel_feature::cachestat) &&
                                   kernel_has_cachestat());
    buffers_.emplace(ring_, buffer_group, options_.recv_buffers, options_.recv_buffer_size);
    wake_fd_.reset(eventfd(0, EFD_CLOEXEC));
    if (!wake_fd_) throw std::runtime_error("eventfd: " + std::string(strerror(errno)));
    if (options_.pool && options_.wake != wake_mode::eventfd) {
        // Probe with a completion this ring ignores. A mask that hides the feature answers
        // like a kernel before 6.13 would.
        const bool allowed = options_.compat.allows(kernel_feature::ringless_msg_ring);
        int err = allowed ? post_to_ring(ring_.ring_fd, op_tag{op_kind::ignore}.encode()) : -EINVAL;
        wake_by_msg_ring_ = err == 0;
        if (!wake_by_msg_ring_ && options_.wake == wake_mode::msg_ring)
            throw std::runtime_error(
                "--worker-wake msg-ring: this kernel has no ring-less MSG_RING (Linux 6.13+): " +
                (allowed ? std::string(strerror(-err))
                         : std::string(kernel_compat_variable) + "=" + options_.compat.describe() +
                               " hides it") +
                "; use --worker-wake eventfd or auto");
    }
}

void reactor::request_stop() {
    requested_.store(stop_mode::stopping);
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof one);
}

void reactor::request_drain() {
    stop_mode expected = stop_mode::running;
    requested_.compare_exchange_strong(expected, stop_mode::draining);
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof one);
}

void reactor::change_listeners(std::vector<listener> add, std::vector<std::string_view> remove) {
    {
        std::lock_guard lock(listener_changes_mutex_);
        for (listener& l : add) listeners_to_add_.push_back(std::move(l));
        listeners_to_remove_.insert(listeners_to_remove_.end(), remove.begin(), remove.end());
    }
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof one);
}

void reactor::rearm_accepts() {
    rearm_requested_.store(true);
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof one);
}

void reactor::apply_listener_changes() {
    std::vector<listener> add;
    std::vector<std::string_view> remove;
    {
        std::lock_guard lock(listener_changes_mutex_);
        add.swap(listeners_to_add_);
        remove.swap(listeners_to_remove_);
    }
    for (std::string_view name : remove) acceptors_.remove(ring_, name);
    // Each cancelled accept is armed again by its final completion (on_accept).
    if (rearm_requested_.exchange(false) && mode_ == stop_mode::running && !accept_paused_)
        acceptors_.cancel(ring_);
    for (listener& l : add) {
        // Added during a drain: closed with the others, unused.
        if (mode_ == stop_mode::running) acceptors_.add(std::move(l));
    }
    if (!accept_paused_ && mode_ == stop_mode::running) acceptors_.arm(ring_);
}

io_uring_sqe* reactor::get_sqe() {
    return next_sqe(ring_);
}

void reactor::set_tag(io_uring_sqe* sqe, op_tag tag) {
    io_uring_sqe_set_data64(sqe, tag.encode());
}

// ---- the loop ----

void reactor::run() {
    now_ms_ = monotonic_ms();
    timers_.expire(now_ms_);  // start the wheel at the current time
    arm_accept();
    arm_wake();
    using clock = std::chrono::steady_clock;
    clock::time_point drain_deadline{};

    while (true) {
        if (mode_ == stop_mode::stopping) break;
        if (mode_ == stop_mode::draining) {
            if (drain_deadline == clock::time_point{})
                drain_deadline =
                    clock::now() + std::chrono::milliseconds(options_.shutdown_timeout_ms);
            // Not before every accept has ended: one still armed may have taken a connection
            // whose completion is not reaped yet, and exiting would reset it (its socket may be
            // another process's now, after an upgrade).
            if (live_connections_ == 0 && !acceptors_.any_armed()) break;
            if (clock::now() >= drain_deadline) {
                spdlog::warn("graceful shutdown: {} connection(s) still busy after {} ms; closing",
                             live_connections_, options_.shutdown_timeout_ms);
                break;
            }
        }
        // Wake up periodically while timers or a drain are pending; sleep otherwise.
        __kernel_timespec tick{0, timer_tick_ns};
        const bool need_tick =
            mode_ == stop_mode::draining || timers_.size() > 0 || accept_paused_ || !held_.empty();
        io_uring_cqe* cqe = nullptr;
        int ret =
            io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, need_tick ? &tick : nullptr, nullptr);
        now_ms_ = monotonic_ms();
        if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) {
            spdlog::error("io_uring_submit_and_wait: {}", strerror(-ret));
            break;
        }
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring_, head, cqe) {
            on_completion(*cqe);
            // Under load one pass can hold dozens of completions: hand the responses made so far
            // to the kernel every few, so the first clients do not wait for the whole batch.
            if (++seen % flush_every_completions == 0) io_uring_submit(&ring_);
        }
        io_uring_cq_advance(&ring_, seen);
        expire_timers();
        resume_accept_if_room();  // connections may have closed here or on other rings

        // Buffers consumed above are back in the ring: re-arm receives that ran out of them.
        std::vector<uint32_t> parked;
        parked.swap(parked_);
        for (uint32_t slot : parked) {
            connection& c = slots_[slot];
            if (c.fd < 0 || c.state.phase == phase::closing) continue;
            after_handler(c);
            finish_close_if_quiet(c);
        }
    }
}

void reactor::on_completion(const io_uring_cqe& cqe) {
    const op_tag tag = op_tag::decode(cqe.user_data);
    const bool more = cqe.flags & IORING_CQE_F_MORE;
    switch (tag.kind) {
        case op_kind::ignore:
            return;
        case op_kind::accept:
            on_accept(tag.slot, cqe.res, more);
            return;
        case op_kind::accept_backoff:
            if (mode_ == stop_mode::running) arm_accept();
            return;
        case op_kind::wake:
            on_wake();
            return;
        case op_kind::work_done:
            deliver_finished_work();
            return;
        default:
            break;
    }
    connection* c = live_connection(tag);
    if (!c) return;
    switch (tag.kind) {
        case op_kind::recv:
            on_recv(*c, cqe);
            break;
        case op_kind::send:
            on_send(*c, cqe.res);
            break;
        case op_kind::writable:
            on_writable(*c, cqe.res);
            break;
        default:
            break;
    }
    settle(*c);
}

reactor::connection* reactor::live_connection(op_tag tag) {
    if (tag.slot >= slots_.size()) return nullptr;
    connection& c = slots_[tag.slot];
    return (c.fd >= 0 && c.generation == tag.generation) ? &c : nullptr;
}

// ---- accept ----

void reactor::arm_accept() {
    acceptors_.arm(ring_);
}

void reactor::arm_accept_backoff() {
    backoff_ = {0, accept_backoff_ns};
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_timeout(sqe, &backoff_, 0, 0);
    set_tag(sqe, {op_kind::accept_backoff});
}

void reactor::on_accept(uint32_t listener_index, int result, bool more) {
    const listener* accepted_by = acceptors_.on_completion(listener_index, more);
    if (result >= 0) {
        if (mode_ == stop_mode::stopping || !accepted_by) {
            ::close(result);
        } else {
            // Also while draining: accepted in the moment before the cancel, the client
            // expects an answer (a handed-over listener has no other process to give it one).
            counters_.accepted.add();
            open_connection(result, *accepted_by);
            pause_accept_if_full();
        }
    } else if (is_resource_shortage(-result)) {
        // Out of descriptors or memory: keep serving the connections we have and retry later
        // instead of spinning on accept.
        spdlog::warn("accept: {}; retrying in {} ms", strerror(-result),
                     accept_backoff_ns / 1'000'000);
        if (!more) {
            arm_accept_backoff();
            return;
        }
    }
    if (!accept_paused_ && mode_ == stop_mode::running) arm_accept();
}

void reactor::pause_accept_if_full() {
    if (accept_paused_ || options_.open_connections->load() < options_.max_connections) return;
    spdlog::warn("{} connections open (--max-connections): not accepting until some close",
                 options_.open_connections->load());
    accept_paused_ = true;
    acceptors_.cancel(ring_);
}

void reactor::resume_accept_if_room() {
    if ((!accept_paused_ && held_.empty()) || mode_ != stop_mode::running) return;
    const size_t open_now = options_.open_connections->load();
    if (!held_.empty() && open_now <= options_.max_connections) {
        for (uint32_t slot : held_) {
            connection& c = slots_[slot];
            if (c.fd >= 0 && c.state.phase != phase::closing) arm_recv(c);
        }
        held_.clear();
    }
    if (accept_paused_ && open_now < options_.max_connections) {
        accept_paused_ = false;
        arm_accept();
    }
}

reactor::connection& reactor::open_connection(int fd, const listener& accepted_by) {
    uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = uint32_t(slots_.size());
        slots_.emplace_back();
        slots_.back().slot = slot;
    }
    connection& c = slots_[slot];
    // The slot's last connection leaves nothing behind but the generation it bumped: not what
    // its handler saw, not what the reactor tracked.
    static_cast<connection_control&>(c) = {};
    c.state = {.idle_since_ms = now_ms_};
    c.fd = fd;
    c.listener = accepted_by.name;
    c.own_factory = accepted_by.factory;
    c.worker = options_.pool ? this : nullptr;
    c.timer.owner = slot;
    if (options_.track_peers) c.peer = client_address::of_peer(fd);
    c.state.counted_by_gate = options_.gate && options_.gate->admit(c.peer);
    c.over_connection_limit = options_.gate && !c.state.counted_by_gate;
    ++live_connections_;
    const size_t open_now = options_.open_connections->fetch_add(1) + 1;
    if (open_now > options_.max_connections) {
        // Accepted by a ring that had not paused yet: hold it unread, as if still in the
        // backlog, until the process is back under its limit.
        held_.push_back(slot);
    } else {
        arm_recv(c);
    }
    update_timer(c);
    return c;
}

// ---- wake-up from other threads ----

void reactor::arm_wake() {
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_read(sqe, wake_fd_.get(), &wake_value_, sizeof wake_value_, 0);
    set_tag(sqe, {op_kind::wake});
}

void reactor::on_wake() {
    // Also with MSG_RING: a worker falls back to the eventfd when posting to the ring fails.
    deliver_finished_work();
    stop_mode requested = requested_.load();
    if (requested == stop_mode::stopping) {
        mode_ = stop_mode::stopping;
        return;
    }
    if (requested == stop_mode::draining && mode_ == stop_mode::running) begin_drain();
    apply_listener_changes();
    arm_wake();
}

// ---- work on the pool ----

bool reactor::run_work(connection_control& control, work w) {
    auto& c = static_cast<connection&>(control);
    // The job carries the slot and generation, never a pointer to the connection: if it closes
    // meanwhile, the result finds a newer generation (or a free slot) and is dropped.
    bool queued = options_.pool->try_submit(
        [this, slot = c.slot, generation = c.generation, w = std::move(w)] {
            std::unique_ptr<work_result> result;
            try {
                result = w();
            } catch (const std::exception& e) {
                spdlog::error("work on the pool threw: {}", e.what());
            } catch (...) {
                spdlog::error("work on the pool threw a non-exception");
            }
            if (inbox_.post({slot, generation, std::move(result)})) wake_for_work();
        });
    c.state.work_pending = queued;
    return queued;
}

void reactor::wake_for_work() {
    // MSG_RING puts the wake-up CQE straight into the ring: one syscall here, no eventfd read to
    // complete and re-arm on the ring. Measured with perf/pool.py (one core, 64 connections,
    // /debug/pooled): 76,703 requests/s with MSG_RING against 64,704 with the eventfd (p99 1.70
    // against 2.65 ms); 17.7 against 22.6 us of CPU per request in perf/results/*-pool.md. So
    // MSG_RING where the kernel has the ring-less form, else the eventfd.
    if (wake_by_msg_ring_ && post_to_ring(ring_.ring_fd, op_tag{op_kind::work_done}.encode()) == 0)
        return;
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof one);
}

void reactor::deliver_finished_work() {
    for (work_inbox::item& finished : inbox_.take_all()) {
        connection* c = live_connection({op_kind::work_done, finished.slot, finished.generation});
        if (c && finished.file_warmed && c->state.file_warming) {
            c->state.file_warming = false;
            if (c->state.phase != phase::closing) after_handler(*c);
        } else if (c && !finished.file_warmed && c->state.work_pending &&
                   c->state.phase != phase::closing && c->handler) {
            c->state.work_pending = false;
            c->now_ms = now_ms_;
            c->handler->on_work_done(*c, std::move(finished.result));
            after_handler(*c);
        } else {
            continue;  // the connection is gone (or closing): drop the result
        }
        settle(*c);
    }
}

void reactor::begin_drain() {
    mode_ = stop_mode::draining;
    // Stop accepting: cancel the multishot accepts, then close the listeners so the kernel stops
    // queueing connections for this ring.
    acceptors_.cancel(ring_);
    io_uring_submit(&ring_);
    acceptors_.close_all();
    // Connections held over --max-connections were accepted: they are in flight too.
    for (uint32_t slot : held_)
        if (slots_[slot].fd >= 0) arm_recv(slots_[slot]);
    held_.clear();
    // An idle keep-alive connection is not closed at once: its client may be sending the next
    // request right now, and a close would cross it and fail it (HTTP lets clients retry only
    // idempotent requests). A request that comes within the grace is answered with
    // `Connection: close`; silence closes the connection when the grace ends. Under load every
    // connection speaks within it, so an upgrade or drain fails no request.
    drain_idle_deadline_ms_ = now_ms_ + options_.drain_idle_grace_ms;
    for (auto& c : slots_) {
        if (c.fd < 0 || c.state.phase == phase::closing) continue;
        c.now_ms = now_ms_;
        if (c.handler && c.handler->on_shutdown(c)) {
            release_handler(c);  // idle: the timer below is the keep-alive one
            c.state.idle_since_ms = now_ms_;
        } else if (c.handler) {
            pump_output(c);
        }
        update_timer(c);
    }
}

// ---- receive ----

void reactor::arm_recv(connection& c) {
    if (c.state.recv != recv_state::idle || c.state.phase == phase::closing ||
        c.state.phase == phase::peer_closed)
        return;
    io_uring_sqe* sqe = get_sqe();
    if (info_.multishot_recv) {
        io_uring_prep_recv_multishot(sqe, c.fd, nullptr, 0, 0);
    } else {
        // The buffer's length, not 0: "0 means the whole selected buffer" came with multishot
        // recv in 6.0; 5.19 would receive into 0 bytes and report an end of stream.
        io_uring_prep_recv(sqe, c.fd, nullptr, options_.recv_buffer_size, 0);
    }
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = buffer_group;
    set_tag(sqe, tag_for(op_kind::recv, c));
    c.state.recv = recv_state::armed;
    ++c.state.ops_in_flight;
}

void reactor::cancel_recv(connection& c) {
    if (c.state.recv != recv_state::armed) return;
    c.state.recv = recv_state::cancelling;
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_cancel64(sqe, tag_for(op_kind::recv, c).encode(), 0);
    set_tag(sqe, {op_kind::ignore});
}

void reactor::on_recv(connection& c, const io_uring_cqe& cqe) {
    if (!(cqe.flags & IORING_CQE_F_MORE)) {
        c.state.recv = recv_state::idle;
        --c.state.ops_in_flight;
    }
    const int res = cqe.res;
    if (res > 0) {
        const auto buffer_id = uint16_t(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
        // Discarded while lingering (and closing).
        if (c.state.phase != phase::closing && c.state.phase != phase::lingering) {
            stream_handler& h = handler_for(c);
            c.now_ms = now_ms_;
            h.on_receive(c, buffers_->data(buffer_id, size_t(res)));
        }
        buffers_->recycle(buffer_id);
        if (c.state.phase != phase::closing) after_handler(c);
        return;
    }
    if (res == -ENOBUFS) {  // every buffer is in use: wait for some to come back
        counters_.recv_no_buffers.add();
        if (c.state.recv == recv_state::idle) parked_.push_back(c.slot);
        return;
    }
    if (res == -ECANCELED || is_transient(res)) {  // cancelled for backpressure, or retry
        if (c.state.phase != phase::closing) after_handler(c);
        return;
    }
    if (res == 0) {  // the peer finished sending: answer what it asked, then close
        if (c.state.phase == phase::lingering) {
            begin_close(c);
            return;
        }
        if (c.state.phase == phase::open) c.state.phase = phase::peer_closed;  // closing stays
        c.close_after_output = true;
        pump_output(c);
        return;
    }
    if (res == -EINVAL && info_.multishot_recv) {  // kernel without multishot recv
        info_.multishot_recv = false;
        arm_recv(c);
        return;
    }
    begin_close(c);  // ECONNRESET and friends
}

stream_handler& reactor::handler_for(connection& c) {
    if (!c.handler) {
        if (c.own_factory) {
            c.handler = (*c.own_factory)();
        } else if (spare_handlers_.empty()) {
            c.handler = factory_();
        } else {
            c.handler = std::move(spare_handlers_.back());
            spare_handlers_.pop_back();
        }
        c.now_ms = now_ms_;
        // A connection that wakes up during a drain gets its answer, then is closed.
        if (mode_ == stop_mode::draining) c.handler->on_shutdown(c);
    }
    return *c.handler;
}

void reactor::release_handler(connection& c) {
    // Enough spares for a burst of requests in flight at once; beyond that memory goes back.
    constexpr size_t max_spare_handlers = 256;
    if (spare_handlers_.size() < max_spare_handlers && !c.own_factory) {
        c.handler->recycle();
        spare_handlers_.push_back(std::move(c.handler));
    } else {
        c.handler.reset();
    }
}

void reactor::after_handler(connection& c) {
    pump_output(c);
    if (c.state.phase == phase::closing) return;
    if (c.state.phase == phase::lingering || !c.handler || c.handler->wants_input()) {
        arm_recv(c);
    } else {
        cancel_recv(c);  // backpressure: the handler holds input until its output drains
        c.state.input_paused = true;
    }
}

// ---- send ----

void reactor::pump_output(connection& c) {
    bool told_drained = false;  // since the last segment went out
    while (!c.state.send_in_flight && !c.state.file_warming && c.state.phase != phase::closing) {
        if (c.out.empty()) {
            if (c.handler && !told_drained) {
                // Also before a close: a handler may still hold output of its own (a TLS layer
                // encrypts a response as it goes out), and one that held requests back answers
                // them now.
                told_drained = true;
                c.now_ms = now_ms_;
                c.handler->on_output_drained(c);
                if (!c.out.empty()) continue;
            }
            if (c.close_after_output) {
                // The peer asked for this close and sent nothing more (the protocol's hint),
                // and no byte waits unread in the socket: a close resets nothing, and the peer
                // gets the answer then our FIN (MSG_MORE above made them share a packet) as
                // after a linger, without the linger's round trip and its recv.
                const bool linger_needed = !(c.linger_not_needed && !unread_input(c));
                if (linger_needed && c.state.phase != phase::peer_closed &&
                    mode_ != stop_mode::draining) {
                    // A client may still be sending (pipelined requests after a close, the
                    // rest of a refused body): closing now with unread data would reset the
                    // connection and could destroy the answer before the client reads it
                    // (RFC 9112 §9.6). Send FIN and read until the client closes too. Not
                    // while draining: the process would wait on its clients to exit.
                    start_linger(c);
                } else {
                    ::shutdown(c.fd, SHUT_WR);
                    begin_close(c);
                }
                return;
            }
            // Between requests the handler holds nothing worth keeping: free it, so an idle
            // keep-alive connection costs only its slot.
            if (c.handler && c.handler->idle()) {
                release_handler(c);
                c.state.idle_since_ms = now_ms_;
            }
            return;
        }
        output_segment& seg = c.out.front();
        // Not under kTLS: it would hold MSG_MORE's bytes in an open record, which the FIN does
        // not flush (a kTLS connection ends with close_notify, a record of its own, anyway).
        const bool last_before_fin =
            c.close_after_output && c.out.front_is_last() && !seg.file && !c.kernel_tls;
        if (seg.unsent() > 0 && seg.record_type == 0 &&
            (c.out.file_follows_front() || last_before_fin)) {
            // Response headers before a file body, or the last bytes before our FIN: send them
            // right away, so the sendfile or the shutdown follows in this same pass. MSG_MORE
            // holds them for the file's first bytes or the FIN to share their packet: the
            // client then sees the answer and the end together and cannot close first (which
            // would leave it the TIME_WAIT). Anything the socket does not take goes the
            // io_uring way below, whose send pushes it all out.
            ssize_t n = ::send(c.fd, seg.bytes.data() + seg.sent, seg.unsent(),
                               MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE);
            if (n > 0) seg.sent += size_t(n);
        }
        if (seg.unsent() > 0) {
            io_uring_sqe* sqe = get_sqe();
            if (seg.record_type != 0) {
                prepare_record_send(c.record, seg);
                io_uring_prep_sendmsg(sqe, c.fd, &c.record.msg, MSG_NOSIGNAL);
            } else {
                io_uring_prep_send(sqe, c.fd, seg.bytes.data() + seg.sent, seg.unsent(),
                                   MSG_NOSIGNAL | (c.kernel_tls ? 0 : MSG_WAITALL));
            }
            set_tag(sqe, tag_for(op_kind::send, c));
            c.out.set_front_busy(true);
            c.state.send_in_flight = true;
            c.state.send_progress_ms = now_ms_;
            ++c.state.ops_in_flight;
            return;
        }
        if (seg.file && seg.file->length > 0) {
            if (warm_file_if_cold(c, *seg.file)) return;
            if (!send_file(c, *seg.file)) return;
            continue;
        }
        c.out.pop_front();
        told_drained = false;
    }
}

void reactor::on_send(connection& c, int result) {
    c.state.send_in_flight = false;
    --c.state.ops_in_flight;
    c.out.set_front_busy(false);
    if (c.state.phase == phase::closing) return;
    if (result > 0) {
        c.out.front().sent += size_t(result);
    } else if (!is_transient(result)) {  // EPIPE, ECONNRESET: the peer is gone
        begin_close(c);
        return;
    }
    after_handler(c);
}

bool reactor::warm_file_if_cold(connection& c, const file_range& file) {
    if (!options_.pool || page_cache_.chunk_resident(file, sendfile_max_chunk, now_ms_)) {
        return false;
    }
    const bool queued =
        options_.pool->try_submit([this, slot = c.slot, generation = c.generation,
                                   file = file_range{file.fd, file.offset, file.length}] {
            warm_file_chunk(file, sendfile_max_chunk);
            work_inbox::item warmed{slot, generation, nullptr, true};
            if (inbox_.post(std::move(warmed))) wake_for_work();
        });
    if (!queued) return false;  // the pool is saturated: send from the ring after all
    c.state.file_warming = true;
    c.state.send_progress_ms = now_ms_;
    return true;
}

bool reactor::send_file(connection& c, file_range& file) {
    long n = send_file_nonblocking(c.fd, file, sendfile_max_chunk);
    if (n > 0) return true;
    if (n == -EAGAIN) {  // the socket buffer is full: continue once it has room
        if (c.kernel_tls) {
            // kTLS hands each sealed record to TCP with sendfile's MSG_MORE, and TCP holds
            // what is less than a segment for more; when the records before this stop fill the
            // unsent limit with nothing in flight, no ACK comes to push them and no room ever
            // opens (a 1 MB download stalled after 16 KB). Setting TCP_NODELAY (already on: the
            // listener passes it on) sends what TCP holds.
            const int one = 1;
            setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        io_uring_sqe* sqe = get_sqe();
        io_uring_prep_poll_add(sqe, c.fd, POLLOUT);
        set_tag(sqe, tag_for(op_kind::writable, c));
        c.state.send_in_flight = true;
        c.state.send_progress_ms = now_ms_;
        ++c.state.ops_in_flight;
        return false;
    }
    if (n == 0) {
        // The file shrank under us: the promised Content-Length cannot be met, so the only
        // honest signal left is to close the connection.
        spdlog::warn("file ended {} bytes early mid-response; closing the connection", file.length);
    }
    begin_close(c);  // EPIPE, ECONNRESET, or a read error
    return false;
}

void reactor::on_writable(connection& c, int result) {
    c.state.send_in_flight = false;
    --c.state.ops_in_flight;
    if (c.state.phase == phase::closing) return;
    if (result < 0 && !is_transient(result)) {
        begin_close(c);
        return;
    }
    after_handler(c);
}

// ---- close ----

bool reactor::unread_input(const connection& c) const {
    // Input held back for backpressure at any time: bytes may wait in the socket, or be on
    // their way, and a receive armed again since may not have delivered them yet. Otherwise an
    // armed receive takes each byte as it comes, and between two one-shot receives (before
    // 6.0) the socket says, with one ioctl on this path only.
    if (c.state.input_paused) return true;
    if (c.state.recv == recv_state::armed) return false;
    int pending = 0;
    return ioctl(c.fd, FIONREAD, &pending) != 0 || pending > 0;
}

void reactor::begin_close(connection& c) {
    if (c.state.phase == phase::closing) return;
    c.state.phase = phase::closing;
    if (c.state.ops_in_flight == 1 && c.state.recv == recv_state::armed) {
        // Only the receive is pending (a close right after an answer): cancel it by its tag, a
        // lookup in one hash bucket, where a cancel by descriptor walks every bucket of the
        // ring's poll table (io_poll_cancel showed in a profile of the Connection: close row).
        cancel_recv(c);
    } else if (c.state.ops_in_flight > 0) {
        // Whatever is pending (a receive, a send to a peer that stopped reading, a POLLOUT wait)
        // completes with -ECANCELED; the slot is released once the last one is back.
        io_uring_sqe* sqe = get_sqe();
        io_uring_prep_cancel_fd(sqe, c.fd, IORING_ASYNC_CANCEL_ALL);
        set_tag(sqe, {op_kind::ignore});
    }
}

void reactor::start_linger(connection& c) {
    if (c.state.phase == phase::lingering) return;
    ::shutdown(c.fd, SHUT_WR);  // the response is complete: send FIN, keep reading
    c.state.phase = phase::lingering;
    c.state.linger_until_ms = now_ms_ + options_.linger_timeout_ms;
    c.handler.reset();
    arm_recv(c);
}

// ---- timers ----

void reactor::update_timer(connection& c) {
    // One timer per connection: the deadline that matters in its current state.
    uint64_t deadline = 0;
    if (c.state.phase == phase::lingering) {
        deadline = c.state.linger_until_ms;
    } else if (c.state.phase == phase::closing) {
        deadline = 0;
    } else if (c.state.send_in_flight || c.state.file_warming) {
        deadline = c.state.send_progress_ms + options_.send_timeout_ms;
    } else if (c.handler) {
        deadline = c.deadline_ms;
    } else {
        deadline = c.state.idle_since_ms + (c.requests > 0 ? options_.keepalive_timeout_ms
                                                           : options_.first_request_timeout_ms);
        if (mode_ == stop_mode::draining) deadline = std::min(deadline, drain_idle_deadline_ms_);
    }
    if (deadline == 0) {
        timers_.cancel(c.timer);
    } else if (!c.timer.scheduled() || c.timer.deadline_ms != deadline) {
        timers_.schedule(c.timer, deadline);
    }
}

void reactor::expire_timers() {
    for (timer_node* node : timers_.expire(now_ms_)) on_timer(slots_[node->owner]);
}

void reactor::on_timer(connection& c) {
    if (c.fd < 0 || c.state.phase == phase::closing) return;
    if (c.state.phase == phase::lingering || c.state.send_in_flight || c.state.file_warming ||
        !c.handler) {
        // The linger is over, the peer stopped reading (send timeout), or the connection sat
        // idle too long (keep-alive timeout): close without a response, like nginx.
        begin_close(c);
    } else {
        c.now_ms = now_ms_;
        c.handler->on_timeout(c);  // e.g. 408 for a request head that took too long
        after_handler(c);
    }
    settle(c);
}

void reactor::settle(connection& c) {
    finish_close_if_quiet(c);
    if (c.fd >= 0) update_timer(c);
}

void reactor::finish_close_if_quiet(connection& c) {
    if (c.state.phase != phase::closing || c.state.ops_in_flight > 0) return;
    // No operation can touch this slot any more: release it and bump the generation so a stale
    // completion could never be taken for the next connection in it.
    timers_.cancel(c.timer);
    if (c.state.counted_by_gate) options_.gate->release(c.peer);
    c.state.counted_by_gate = false;
    ::close(c.fd);
    c.fd = -1;
    c.handler.reset();
    c.own_factory.reset();
    c.out.clear();
    ++c.generation;
    free_slots_.push_back(c.slot);
    --live_connections_;
    options_.open_connections->fetch_sub(1);
}

}  // namespace ringhttpd::io
