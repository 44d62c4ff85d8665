#pragma once
// One reactor per ring thread: multishot accepts on this thread's listeners (acceptors.hpp),
// multishot receives from a provided-buffer ring, one send in flight per connection, and file
// ranges streamed through read+send. Everything except request_stop, request_drain and
// change_listeners runs on the owning thread; those may be called from any thread and wake the
// ring through an eventfd.

#include <liburing.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "io/acceptors.hpp"
#include "io/buffer_ring.hpp"
#include "io/connection_gate.hpp"
#include "io/counter.hpp"
#include "io/file_sender.hpp"
#include "io/kernel_compat.hpp"
#include "io/record_send.hpp"
#include "io/ring_setup.hpp"
#include "io/stream_handler.hpp"
#include "io/timer_wheel.hpp"
#include "io/user_data.hpp"
#include "io/work_inbox.hpp"
#include "io/worker_pool.hpp"
#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::io {

// How a worker wakes the ring it hands finished work to.
enum class wake_mode {
    automatic,  // MSG_RING on kernels with the ring-less form (6.13+), else eventfd
    msg_ring,
    eventfd,
};

struct reactor_options {
    unsigned ring_entries = 1024;
    unsigned recv_buffers = 1024;
    unsigned recv_buffer_size = 4096;
    unsigned shutdown_timeout_ms = 30'000;
    // Timeouts the reactor enforces itself (nginx names); the HTTP layer sets its own deadlines
    // for request heads and bodies through connection_control::deadline_ms.
    uint64_t first_request_timeout_ms = 60'000;  // a new connection sends nothing: close
    uint64_t keepalive_timeout_ms = 75'000;      // idle between requests: close, no response
    uint64_t send_timeout_ms = 60'000;           // no send progress: close
    uint64_t linger_timeout_ms = 5'000;          // reading and discarding after the last answer
    uint64_t drain_idle_grace_ms = 1'000;        // a drain waits this long for idle connections
    connection_gate* gate = nullptr;  // per-client connection limit, if any (shared, thread-safe)
    bool track_peers = false;         // read each connection's client address (getpeername)
    // Open connections of the whole process (shared by every ring) and the most it may have;
    // at the limit rings stop accepting, so new clients wait in the backlog instead of failing.
    std::atomic<size_t>* open_connections = nullptr;
    size_t max_connections = SIZE_MAX;
    worker_pool* pool = nullptr;  // shared by every ring; null: handlers run all work inline
    wake_mode wake = wake_mode::automatic;  // how workers wake this ring
    kernel_compat compat;                   // features hidden as if this kernel lacked them
};

// What a ring counts of its connections, for the metrics: written by the ring's thread only,
// readable from any thread.
struct reactor_counters {
    counter accepted;         // connections accepted
    counter recv_no_buffers;  // receives that found the buffer ring empty (-ENOBUFS)
};

class reactor final : private work_runner {
  public:
    reactor(std::vector<listener> listeners, reactor_options options,
            stream_handler_factory factory);
    ~reactor();
    reactor(const reactor&) = delete;
    reactor& operator=(const reactor&) = delete;

    // Creates the ring and its buffers. Must run on the thread that will call run(), because the
    // ring is single-issuer. Throws std::runtime_error with an actionable message.
    void init();
    const ring_info& info() const { return info_; }
    bool wakes_by_msg_ring() const { return wake_by_msg_ring_; }
    bool checks_page_cache() const { return page_cache_.uses_cachestat(); }
    const reactor_counters& counters() const { return counters_; }  // from any thread
    void run();  // returns after request_stop, or once a drain has finished

    void request_stop();   // thread-safe: close everything now
    void request_drain();  // thread-safe: stop accepting, finish in-flight work, then return
    // Thread-safe: starts accepting on `add`, closes the sockets of the addresses in `remove`
    // (a reload). Connections already accepted are not touched.
    void change_listeners(std::vector<listener> add, std::vector<std::string_view> remove);
    // Thread-safe: arms every accept anew; an accept being armed first takes the connections
    // already queued (see server::rearm_accepts).
    void rearm_accepts();

  private:
    enum class stop_mode : int { running, draining, stopping };

    // Where a connection is in its life. It only moves forward: open, then peer_closed or
    // lingering (never both), and closing from any of them.
    enum class phase : uint8_t {
        open,         // reading requests and answering them
        peer_closed,  // the client finished sending: answer what it asked, then close
        lingering,    // shut down for writing, discarding input until EOF or timeout
        closing,      // in-flight operations are cancelled; the slot is released once all are back
    };
    // A receive in flight, and whether a cancel for backpressure is on its way.
    enum class recv_state : uint8_t { idle, armed, cancelling };

    // What the reactor tracks of one connection besides its socket, timer and handler. A new
    // connection in the slot starts from `state = {...}`, so none of it carries over.
    struct connection_state {
        reactor::phase phase = reactor::phase::open;
        recv_state recv = recv_state::idle;
        bool send_in_flight = false;   // a send, or a wait for POLLOUT, is in flight
        bool work_pending = false;     // its handler waits for work on the pool
        bool input_paused = false;     // its receive was cancelled for backpressure, ever
        bool file_warming = false;     // a worker reads the next file chunk into the page cache
        bool counted_by_gate = false;  // admitted by options_.gate: release it on close
        unsigned ops_in_flight = 0;
        uint64_t idle_since_ms = 0;     // when the connection last became idle (no handler)
        uint64_t send_progress_ms = 0;  // when the in-flight send last made progress
        uint64_t linger_until_ms = 0;
    };

    struct connection : connection_control {
        uint32_t slot = 0;  // index in slots_
        uint32_t generation = 0;
        connection_state state;
        timer_node timer;  // the one deadline that matters now (see update_timer)
        // Null while the connection is idle: made when the first bytes arrive, so an idle
        // connection holds no session.
        std::unique_ptr<stream_handler> handler;
        // Its listener's own factory (listener::factory), if it has one.
        std::shared_ptr<const stream_handler_factory> own_factory;
        record_send record;  // the TLS record send in flight, if the front segment is one
    };

    io_uring_sqe* get_sqe();
    void apply_listener_changes();
    static void set_tag(io_uring_sqe* sqe, op_tag tag);
    static op_tag tag_for(op_kind kind, const connection& c) {
        return {kind, c.slot, c.generation};
    }

    void arm_accept();
    void arm_accept_backoff();
    void pause_accept_if_full();
    void resume_accept_if_room();
    void arm_wake();
    void arm_recv(connection& c);
    void cancel_recv(connection& c);

    void on_completion(const io_uring_cqe& cqe);
    connection* live_connection(op_tag tag);
    connection& open_connection(int fd, const listener& accepted_by);
    void on_accept(uint32_t listener_index, int result, bool more);
    void on_wake();
    bool run_work(connection_control& conn, work w) override;  // on the ring thread
    void wake_for_work();                                      // on a worker thread
    void deliver_finished_work();
    void on_recv(connection& c, const io_uring_cqe& cqe);
    void on_send(connection& c, int result);
    void on_writable(connection& c, int result);
    // Sends what it can of the file; false when the connection must wait (or is closing).
    bool send_file(connection& c, file_range& file);
    // Has a worker read the file's next chunk from disk when it is not all in the page cache,
    // so sendfile never waits for a disk on the ring thread. False when nothing was needed.
    bool warm_file_if_cold(connection& c, const file_range& file);

    stream_handler& handler_for(connection& c);  // creates the handler on first use
    void release_handler(connection& c);         // keeps an idle handler for reuse
    void after_handler(connection& c);
    void pump_output(connection& c);
    // Whether bytes the peer sent may wait unread in the socket (a close would reset them).
    bool unread_input(const connection& c) const;
    void begin_close(connection& c);
    void finish_close_if_quiet(connection& c);
    // After handling an event: release the slot if it is closing and quiet, else re-arm its
    // timer for whatever it waits for now.
    void settle(connection& c);
    void begin_drain();
    void start_linger(connection& c);
    void update_timer(connection& c);
    void on_timer(connection& c);
    void expire_timers();

    acceptors acceptors_;
    std::mutex listener_changes_mutex_;  // guards the two lists below
    std::vector<listener> listeners_to_add_;
    std::vector<std::string_view> listeners_to_remove_;
    std::atomic<bool> rearm_requested_{false};
    reactor_options options_;
    stream_handler_factory factory_;
    io_uring ring_{};
    bool ring_ready_ = false;
    ring_info info_;
    std::optional<buffer_ring> buffers_;
    unique_fd wake_fd_;
    uint64_t wake_value_ = 0;
    bool wake_by_msg_ring_ = false;
    work_inbox inbox_;
    __kernel_timespec backoff_{};

    uint64_t now_ms_ = 0;                  // monotonic, read once per loop iteration
    uint64_t drain_idle_deadline_ms_ = 0;  // idle connections close by then in a drain
    timer_wheel timers_{0};
    page_cache_check page_cache_;
    std::deque<connection> slots_;  // a deque: references stay valid as it grows
    std::vector<uint32_t> free_slots_;
    // Idle handlers kept for the next request on any connection of this ring: a keep-alive
    // request then allocates no session, parser or request buffers.
    std::vector<std::unique_ptr<stream_handler>> spare_handlers_;
    std::vector<uint32_t> parked_;  // connections whose receive ran out of buffers
    std::vector<uint32_t> held_;    // accepted over max_connections: not read until there is room
    size_t live_connections_ = 0;
    reactor_counters counters_;
    bool accept_paused_ = false;  // at max_connections: resumes once connections close

    std::atomic<size_t> own_open_connections_{0};  // when options_ shares no counter
    std::atomic<stop_mode> requested_{stop_mode::running};
    stop_mode mode_ = stop_mode::running;
};

}  // namespace ringhttpd::io
