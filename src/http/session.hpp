#pragma once
// One HTTP/1.1 connection: bytes in, responses out, strictly in request order. Parses inline on
// the ring thread, dispatches each complete request through the router, and holds back further
// pipelined requests while a large response drains (backpressure) or while the answer is being
// worked out on the worker pool. Lives on one ring thread.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/client_limits.hpp"
#include "http/exchange.hpp"
#include "http/real_ip.hpp"
#include "http/request_gate.hpp"
#include "http/request_parser.hpp"
#include "http/response_writer.hpp"
#include "io/stream_handler.hpp"
#include "ringhttpd/handler.hpp"

namespace ringhttpd::http {

// What every session on every ring shares: read-only.
struct session_context {
    // Answers a complete request (the router, seen from below).
    std::function<route_result(request&, const context&)> dispatch;
    // The body limit of the place a request head goes to (router::body_limit), asked before its
    // body is read; nullopt, or no function: limits.max_body_size.
    std::function<std::optional<uint64_t>(const request& head, const context&)> body_limit;
    parser_limits limits;
    uint64_t header_timeout_ms = 60'000;  // whole request head, from its first byte -> 408
    uint64_t body_timeout_ms = 60'000;    // between two reads of the body -> 408
    uint32_t keepalive_requests = 1000;   // the response to this request says Connection: close
    bool keepalive = true;                // false when keepalive_timeout is 0, as in nginx
    bool security_headers = true;
    bool server_tokens = false;
    request_gate* rate_limit = nullptr;  // per-client request rate, if limited
    // limit_conn for requests that come through a trusted proxy (proxy_aware_gate), if limited.
    std::shared_ptr<client_limits> proxied_in_flight;
    real_ip_rule real_ip;         // who the client is behind a trusted proxy
    int rate_limit_status = 429;  // the answer to a request over the rate
    // Who sees each answered request (access log, metrics), by ring; empty: nobody.
    std::vector<exchange_observer*> observers;
};

class session final : public io::stream_handler, private body_limit_source {
  public:
    // `ring`: the context handlers get on this session's ring.
    session(const session_context& shared, const context& ring);
    ~session() override { abandon_request(); }

    void on_receive(io::connection_control& conn, std::string_view bytes) override;
    void on_output_drained(io::connection_control& conn) override;
    // While waiting for the pool, input is still read (so a client that goes away is noticed)
    // but only up to a bound.
    bool wants_input() const override {
        return !paused_ && !closing_ && held_input_.size() < max_held_input;
    }
    bool idle() const override;
    bool on_shutdown(io::connection_control& conn) override;
    void on_timeout(io::connection_control& conn) override;
    void recycle() override;
    void on_work_done(io::connection_control& conn,
                      std::unique_ptr<io::work_result> result) override;

  private:
    uint64_t max_body_size(const request& head) override;
    // Parses and answers requests in `data`; returns how many bytes it consumed (less than all
    // when it paused for backpressure or decided to close).
    size_t process(io::connection_control& conn, std::string_view data);
    void process_held_input(io::connection_control& conn);
    void respond(io::connection_control& conn);
    // Sends `res` as the answer to the request whose framing is `framing`.
    void send(io::connection_control& conn, response&& res, response_framing framing);
    // Queues `work` on the pool (or runs it here when there is no pool); the response follows in
    // on_work_done. Answers 503 when the pool's queue is full.
    void hand_to_pool(io::connection_control& conn, blocking_work work, response_framing framing);
    // The answer when a client is over its limits, or nullopt when it is not.
    // `hold`: set when the request counts among its client's requests in flight.
    std::optional<response> refuse_over_limit(io::connection_control& conn, in_flight_hold& hold);
    void respond_error(io::connection_control& conn, int status);
    // The one place an answer is finished: queues `res` and tells the ring's observer.
    void queue_answer(io::connection_control& conn, response&& res, const response_framing& framing,
                      const io::client_address& client);
    // The deadline for the request in progress: the head's from its first byte, the body's from
    // the last read.
    void update_deadline(io::connection_control& conn);
    response_framing framing_for(const request* req, bool keep_alive) const;
    // The request handed to a handler will never be answered (the connection went away).
    void abandon_request();

    static constexpr size_t max_held_input = 64 * 1024;

    const session_context& context_;
    const context& ring_;
    exchange_observer* const observer_;  // null: nobody watches this ring
    request_parser parser_;
    uint64_t request_bytes_ = 0;       // of the request in progress, as received
    uint64_t request_started_ns_ = 0;  // when its first byte was parsed (with an observer)
    std::string held_input_;           // received, not yet parsed: kept while paused
    bool paused_ = false;              // waiting for output to drain before parsing more
    bool closing_ = false;   // the last response is queued; the connection closes after it
    bool draining_ = false;  // graceful shutdown: close after the request in progress
    bool continue_sent_ = false;
    bool awaiting_work_ = false;  // the current answer is being made on the worker pool
    bool dispatched_ = false;     // the request in progress went to a handler (observer_ knows)
    response_framing awaited_framing_;
};

}  // namespace ringhttpd::http
