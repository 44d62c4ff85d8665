#pragma once
// The contract between the reactor (which moves bytes) and a protocol (which gives them meaning).
// One handler per connection, called only on the connection's ring thread. The io layer knows
// nothing of HTTP: it delivers received bytes, sends what the handler queued, and closes when told.

#include <functional>
#include <memory>
#include <string_view>

#include "io/client_address.hpp"
#include "io/output_queue.hpp"
#include "ringhttpd/tls_info.hpp"

namespace ringhttpd::io {

struct connection_control;

// The result of work run on the worker pool, handed back to the handler on its ring thread.
struct work_result {
    virtual ~work_result() = default;
};
// Work that may block. It runs on a worker thread, so it must not touch the connection or the
// handler: everything it needs is captured by value.
using work = std::function<std::unique_ptr<work_result>()>;

class work_runner {
  public:
    // Queues `w` on the worker pool. Its result comes back through stream_handler::on_work_done
    // on this connection's ring thread (null if the work threw), or is dropped if the connection
    // closed meanwhile. False when the pool's queue is full.
    virtual bool run_work(connection_control& conn, work w) = 0;

  protected:
    ~work_runner() = default;
};

// What a handler may ask of its connection, and what the reactor tells it.
struct connection_control {
    output_queue out;  // bytes and files to send, in order
    // The socket, for a layer that configures it (kTLS's socket options); only the reactor
    // sends and receives on it. -1 where a handler sits inside another (TLS's inner one).
    int fd = -1;
    // The kernel encrypts what is sent on the socket (kTLS, set by the TLS layer): its sendmsg
    // refuses MSG_WAITALL (EOPNOTSUPP), so sends go without it and a short one is sent on.
    bool kernel_tls = false;
    // Close once `out` has been sent: shut down sending, then read and discard until the client
    // closes too (or a linger timeout), so a client still sending receives the response
    // instead of a reset.
    bool close_after_output = false;
    // With close_after_output: the peer itself asked for the close after this answer and has
    // nothing more to send (everything it sent was consumed), so the linger above protects
    // nothing and only costs its round trip: close as soon as `out` is sent. A hint, set by the
    // protocol, which alone knows (RFC 9112 §9.6 allows an immediate close when no further
    // input is expected; nginx's ngx_http_set_lingering_close lingers only when input may
    // follow). The reactor honours it only while its receive stayed armed, i.e. every byte that
    // arrived was handed to the handler; the handler clears it when more bytes come.
    bool linger_not_needed = false;
    uint64_t deadline_ms = 0;   // the handler's own deadline (0: none); on_timeout() when reached
    uint64_t now_ms = 0;        // the ring's monotonic clock, set before every handler call
    uint32_t requests = 0;      // requests answered on this connection, kept across handlers
    client_address peer;        // the client, when per-client limits need it
    std::string_view listener;  // the listen address it came in on, as configured
    const tls_info* tls = nullptr;       // set by a TLS layer once its handshake is done
    bool over_connection_limit = false;  // the client has too many connections open
    work_runner* worker = nullptr;       // the worker pool; null when there is none
};

class stream_handler {
  public:
    virtual ~stream_handler() = default;

    // Bytes arrived. The handler consumes or keeps them (the view dies on return).
    virtual void on_receive(connection_control& conn, std::string_view bytes) = 0;
    // All queued output has been sent: the handler may resume work it paused for backpressure.
    virtual void on_output_drained(connection_control& conn) = 0;
    // False while the handler holds back input (e.g. waiting for a large response to drain);
    // the reactor then stops receiving on the connection.
    virtual bool wants_input() const = 0;
    // Nothing in progress and nothing held: the reactor may destroy the handler and make a new
    // one when more bytes arrive.
    virtual bool idle() const = 0;
    // Graceful shutdown: finish what is in progress, then close. Returns true when the
    // connection is idle and may be closed right away.
    virtual bool on_shutdown(connection_control& conn) = 0;
    // conn.deadline_ms has passed.
    virtual void on_timeout(connection_control& conn) = 0;
    // Back to the state of a new handler, keeping its buffers: the reactor reuses idle handlers
    // (idle() is true when this is called) rather than allocating one per request.
    virtual void recycle() = 0;
    // Work queued through conn.worker has finished; `result` is null when it threw.
    virtual void on_work_done(connection_control& conn, std::unique_ptr<work_result> result) = 0;
};

// Makes the handler for a new connection; called on the ring thread that accepted it.
using stream_handler_factory = std::function<std::unique_ptr<stream_handler>()>;

}  // namespace ringhttpd::io
