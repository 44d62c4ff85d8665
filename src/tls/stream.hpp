#pragma once
// One TLS connection: a stream_handler between the reactor and the protocol inside it (the HTTP
// session), so neither changes for TLS and cleartext connections never pass through here.
//
// Bytes in: the ring's receive buffer goes into OpenSSL (ring_bio.hpp); the cleartext that comes
// out goes to the inner handler. Bytes out: the inner handler queues cleartext, bytes and file
// ranges, in its own output queue; this layer encrypts it into the connection's queue, which
// the ring sends one send at a time: sealed here straight from the inner queue once the
// handshake is done (record_sealer.hpp), with SSL_write for ciphers the sealer lacks. File ranges
// cannot go out with sendfile through user-space TLS: they are read in chunks (on the worker pool
// when not in the page cache) and encrypted as the connection's queue drains, so a large file never
// sits whole in memory. Where the kernel took the sending side over (kTLS, ktls_send.hpp), the
// inner queue goes to the connection's as it is, file ranges included: the kernel encrypts, and
// files go out with sendfile again.
//
// Lives on its connection's ring thread for the connection's whole life: it holds the TLS
// session, so it is never idle() and never reused for another connection, and it keeps the
// deadlines the reactor keeps for idle cleartext connections itself (handshake, keep-alive).

#include <openssl/ssl.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "io/output_queue.hpp"
#include "io/stream_handler.hpp"
#include "ringhttpd/stats.hpp"
#include "ringhttpd/tls_info.hpp"
#include "tls/contexts.hpp"
#include "tls/counters.hpp"
#include "tls/ring_bio.hpp"
#include "tls/ssl_state.hpp"

namespace ringhttpd::tls {

// What every TLS connection of a server shares, read-only.
struct stream_settings {
    // Queues a 400 whose body is `text`, after which the connection closes: for cleartext HTTP
    // sent to the TLS port, and for a request without the client certificate its site requires.
    std::function<void(io::output_queue& out, std::string_view text)> bad_request;
    uint64_t handshake_timeout_ms = 60'000;      // from the first byte to a finished handshake
    uint64_t first_request_timeout_ms = 60'000;  // after the handshake, before a request
    uint64_t keepalive_timeout_ms = 75'000;      // idle between requests
    // Full handshakes go on on the worker pool after their ClientHello (handshake_offload.hpp).
    bool handshakes_on_pool = false;
};

class stream final : public io::stream_handler, private io::work_runner {
  public:
    // `tls`: the contexts of the configuration the connection was accepted under, kept alive
    // by it through a reload. `counted`: its ring's. `inner`: the protocol spoken inside.
    stream(std::shared_ptr<const contexts> tls, const stream_settings& settings, counters& counted,
           std::unique_ptr<io::stream_handler> inner);
    ~stream() override;
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;

    void on_receive(io::connection_control& conn, std::string_view bytes) override;
    void on_output_drained(io::connection_control& conn) override;
    bool wants_input() const override;
    bool idle() const override { return false; }  // it holds the TLS session
    bool on_shutdown(io::connection_control& conn) override;
    void on_timeout(io::connection_control& conn) override;
    void recycle() override;
    void on_work_done(io::connection_control& conn,
                      std::unique_ptr<io::work_result> result) override;

  private:
    enum class phase : uint8_t {
        fresh,        // nothing received yet
        handshaking,  // the first bytes came: the handshake runs, against its deadline
        open,         // cleartext flows both ways
        closed,       // close_notify sent, or failed: nothing more goes in or out
    };

    // The inner handler's work goes to the pool on behalf of the real connection.
    bool run_work(io::connection_control& conn, io::work w) override;

    void enter(io::connection_control& conn);  // before anything: the inner view is current
    void leave(io::connection_control& conn);  // after: output encrypted, deadline set
    void read_records(io::connection_control& conn);
    // After reading: the KeyUpdate a client asked for.
    void answer_key_update(io::connection_control& conn);
    // The handshake stopped after a ClientHello that asks for a full one: true when a worker
    // goes on with it.
    bool hand_handshake_to_worker(io::connection_control& conn);
    void on_handshake_step(io::connection_control& conn, std::unique_ptr<io::work_result> result);
    void encrypt_output(io::connection_control& conn);
    void pass_output(io::connection_control& conn);  // the same once the kernel encrypts
    // Encrypts the next piece of the inner queue's front; false when it must wait (a chunk of
    // file is being read on the pool, or the connection failed).
    bool encrypt_front(io::connection_control& conn);
    bool read_file_chunk(io::connection_control& conn, io::output_segment& segment);
    // Encrypts `length` bytes of cleartext into the connection's queue; false when it failed.
    bool encrypt(io::connection_control& conn, const char* cleartext, size_t length);
    void on_handshake_done();
    // The first request of a connection whose site requires a client certificate it lacks.
    void refuse_for_certificate();
    // A drain: the inner handler finishes what it has; an idle open connection closes.
    void shut_down(io::connection_control& conn);
    void finish(io::connection_control& conn);  // close_notify, then close
    void fail(io::connection_control& conn);    // close without more
    // A handshake that does not finish: counted by why, then closed.
    void fail_handshake(io::connection_control& conn, tls_failure why);
    void reset_session();

    std::shared_ptr<const contexts> tls_;
    const stream_settings& settings_;
    counters& counted_;
    std::unique_ptr<io::stream_handler> inner_;
    io::connection_control inner_conn_;        // what the inner handler sees: cleartext
    io::connection_control* outer_ = nullptr;  // the real connection, during a call
    std::shared_ptr<ssl_state> state_;         // shared with a worker during a handshake step
    phase phase_ = phase::fresh;
    // A worker runs the handshake (handshake_offload.hpp): nothing here touches state_ until it
    // is back, and what the client sends meanwhile waits in held_input_.
    bool handshake_on_worker_ = false;
    std::string held_input_;
    bool shutdown_after_step_ = false;  // a drain began while the worker had the handshake
    bool reading_file_ = false;         // a worker reads the next chunk of the file being sent
    // Its site requires a client certificate and it sent none, or one that did not verify:
    // requests get a 400 rather than the inner handler.
    bool lacks_certificate_ = false;
    tls_info info_;  // what the handshake negotiated, for the inner handler's requests
};

}  // namespace ringhttpd::tls
