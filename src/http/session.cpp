#include "http/session.hpp"

#include <ctime>

#include "http/client_limits.hpp"
#include "http/response_writer.hpp"
#include "http/ring_counters.hpp"
#include "http/status.hpp"

#include <spdlog/spdlog.h>

namespace ringhttpd::http {
namespace {

// Stop parsing pipelined requests once this much output is waiting, or a file is streaming, so a
// client that pipelines without reading cannot make the server buffer without bound.
constexpr size_t output_high_water = 64 * 1024;

bool output_backed_up(const io::connection_control& conn) {
    return conn.out.has_file() || conn.out.pending_bytes() >= output_high_water;
}

uint64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000 + uint64_t(ts.tv_nsec);
}

}  // namespace

session::session(const session_context& shared, const context& ring)
    : context_(shared),
      ring_(ring),
      observer_(ring.ring < shared.observers.size() ? shared.observers[ring.ring] : nullptr),
      parser_(shared.limits, this) {}

uint64_t session::max_body_size(const request& head) {
    const uint64_t server_wide = context_.limits.max_body_size;
    return context_.body_limit ? context_.body_limit(head, ring_).value_or(server_wide)
                               : server_wide;
}

void session::on_receive(io::connection_control& conn, std::string_view bytes) {
    if (closing_) {
        // The answer is final; whatever else arrives is discarded. The client is still
        // sending, though: a close now could reset the answer, so the linger is needed after all.
        conn.linger_not_needed = false;
        return;
    }
    // Before parsing: the body limit is chosen by site, and sites by listener, once the head
    // is complete.
    parser_.current().listener = conn.listener;
    parser_.current().tls = conn.tls;
    if (paused_ || awaiting_work_ || !held_input_.empty()) {
        held_input_.append(bytes);
        if (!paused_ && !awaiting_work_) process_held_input(conn);
    } else {
        size_t used = process(conn, bytes);
        if (used < bytes.size() && !closing_) held_input_.assign(bytes.substr(used));
    }
    update_deadline(conn);
}

void session::update_deadline(io::connection_control& conn) {
    if (closing_ || !parser_.in_message()) {
        conn.deadline_ms = 0;
    } else if (parser_.in_body()) {
        conn.deadline_ms = conn.now_ms + context_.body_timeout_ms;
    } else if (conn.deadline_ms == 0) {  // set once per head: dribbling does not extend it
        conn.deadline_ms = conn.now_ms + context_.header_timeout_ms;
    }
}

void session::on_timeout(io::connection_control& conn) {
    conn.deadline_ms = 0;
    if (closing_ || !parser_.in_message()) return;
    respond_error(conn, 408);
}

void session::on_output_drained(io::connection_control& conn) {
    if (!paused_) return;
    paused_ = false;
    process_held_input(conn);
    update_deadline(conn);
}

bool session::idle() const {
    // Draining does not keep it: the reactor tells a new handler of the drain as well.
    return !parser_.in_message() && held_input_.empty() && !paused_ && !closing_ && !awaiting_work_;
}

void session::abandon_request() {
    if (dispatched_) observer_->on_abandoned();
    dispatched_ = false;
}

void session::recycle() {
    abandon_request();
    parser_.reset();
    request_bytes_ = 0;
    held_input_.clear();
    paused_ = closing_ = draining_ = continue_sent_ = awaiting_work_ = false;
}

bool session::on_shutdown(io::connection_control& conn) {
    draining_ = true;
    // What is in progress is answered with `Connection: close`. A response already on its way
    // said keep-alive, so its client may send one more request: the connection stays open, and
    // the reactor's drain grace gives that request its answer (a close now would cross it).
    return !awaiting_work_ && !parser_.in_message() && held_input_.empty() && conn.out.empty();
}

void session::process_held_input(io::connection_control& conn) {
    size_t used = process(conn, held_input_);
    held_input_.erase(0, used);
    if (held_input_.empty() || closing_) std::string().swap(held_input_);  // idle holds no memory
}

size_t session::process(io::connection_control& conn, std::string_view data) {
    size_t pos = 0;
    while (pos < data.size() && !paused_ && !closing_ && !awaiting_work_) {
        size_t consumed = 0;
        if (observer_ && !parser_.in_message() && request_bytes_ == 0)
            request_started_ns_ = monotonic_ns();
        auto result = parser_.feed(data.substr(pos), consumed);
        pos += consumed;
        request_bytes_ += consumed;
        switch (result) {
            case request_parser::result::need_more:
                if (parser_.expects_continue() && !continue_sent_) {
                    write_continue(conn.out);
                    continue_sent_ = true;
                }
                return pos;
            case request_parser::result::request_ready:
                respond(conn);
                // Pipelined bytes after a close answer: the client is still sending (see send).
                if (closing_ && pos < data.size()) conn.linger_not_needed = false;
                // A request answered on the pool stays until its answer is queued, for the log.
                if (!awaiting_work_) parser_.next();
                continue_sent_ = false;
                if (output_backed_up(conn)) paused_ = true;
                break;
            case request_parser::result::error:
                request_bytes_ += data.size() - pos;  // read, if not parsed
                respond_error(conn, parser_.error_status());
                return data.size();
        }
    }
    return pos;
}

void session::respond(io::connection_control& conn) {
    request& req = parser_.current();
    ++conn.requests;
    // Keep-alive as the request allows; the response may still say close (see send).
    const response_framing framing =
        framing_for(&req, parser_.keep_alive() && context_.keepalive &&
                              conn.requests < context_.keepalive_requests);
    req.client = context_.real_ip.client_of(conn.peer, req).bytes;
    if (observer_) {
        observer_->on_dispatched();
        dispatched_ = true;
    }
    in_flight_hold hold;
    if (auto refusal = refuse_over_limit(conn, hold))
        return send(conn, std::move(*refusal), framing);
    route_result result = context_.dispatch(req, ring_);
    if (auto* work = std::get_if<blocking_work>(&result)) {
        if (hold) *work = held_until_answered(std::move(*work), std::move(hold));
        return hand_to_pool(conn, std::move(*work), framing);
    }
    send(conn, std::move(std::get<response>(result)), framing);
}

void session::queue_answer(io::connection_control& conn, response&& res,
                           const response_framing& framing, const io::client_address& client) {
    const int status = res.status;
    const bool logged = res.access_log;
    if (status >= 500) {
        const request& req = parser_.current();
        spdlog::error("{} answered {} to \"{} {}\" from {}", status, reason_phrase(status),
                      req.method_name, req.target, client.to_string());
    }
    const uint64_t body_bytes = write_response(conn.out, std::move(res), framing);
    if (observer_) {
        const exchange e{parser_.current(),
                         client,
                         status,
                         body_bytes,
                         request_bytes_,
                         monotonic_ns() - request_started_ns_,
                         logged,
                         dispatched_};
        dispatched_ = false;
        observer_->on_exchange(e);
    }
    request_bytes_ = 0;
}

void session::send(io::connection_control& conn, response&& res, response_framing framing) {
    framing.keep_alive = framing.keep_alive && !draining_ && !res.close_connection;
    queue_answer(conn, std::move(res), framing, {parser_.current().client});
    if (!framing.keep_alive) {
        closing_ = true;
        conn.close_after_output = true;
        // The client asked for the close (Connection: close, or HTTP/1.0 without keep-alive)
        // and its request is complete, so it expects the connection to end here and will send
        // nothing more: closing at once resets nothing and saves the linger's round trip
        // (RFC 9112 §9.6; nginx lingers only when input may follow, h2o never). Bytes already
        // received after this request clear the hint again (process, on_work_done,
        // on_receive). A close of our own (keepalive_requests, a drain, a refusal) keeps the
        // linger: that client may be sending its next request right now.
        conn.linger_not_needed = !parser_.keep_alive();
    }
}

namespace {

struct pool_answer final : io::work_result {
    explicit pool_answer(response r) : res(std::move(r)) {}
    response res;
};

}  // namespace

void session::hand_to_pool(io::connection_control& conn, blocking_work work,
                           response_framing framing) {
    if (!conn.worker) return send(conn, work(ring_), framing);
    // On the pool, the work gets the ring's context less its storage (the ring's own).
    context pooled{ring_.ring, nullptr, ring_.stop};
    const bool queued =
        conn.worker->run_work(conn, [work = std::move(work), pooled = std::move(pooled)] {
            return std::make_unique<pool_answer>(work(pooled));
        });
    if (!queued) {
        // Every worker is busy and the queue is full: refuse this request, keep the connection
        // and the ring serving everything else.
        return send(conn, over_limit(503, 1), framing);
    }
    awaiting_work_ = true;
    awaited_framing_ = framing;
}

void session::on_work_done(io::connection_control& conn, std::unique_ptr<io::work_result> result) {
    awaiting_work_ = false;
    auto* answer = dynamic_cast<pool_answer*>(result.get());
    send(conn, answer ? std::move(answer->res) : response::error(500), awaited_framing_);
    parser_.next();
    if (closing_) {
        // Bytes that came while the pool worked: the client is still sending (see send).
        if (!held_input_.empty()) conn.linger_not_needed = false;
        return;
    }
    if (output_backed_up(conn)) {
        paused_ = true;
        return;
    }
    process_held_input(conn);
    update_deadline(conn);
}

std::optional<response> session::refuse_over_limit(io::connection_control& conn,
                                                   in_flight_hold& hold) {
    const io::client_address client{parser_.current().client};
    uint32_t retry_after = 0;
    int status = 0;
    bool by_rate = false;  // limit_req, else limit_conn
    if (conn.over_connection_limit) {
        status = 503;  // nginx's limit_conn_status; the connection closes after the answer
        retry_after = 1;
    } else if (context_.rate_limit &&
               (retry_after = context_.rate_limit->check_request(client, conn.now_ms))) {
        status = context_.rate_limit_status;
        by_rate = true;
    } else if (context_.proxied_in_flight && context_.real_ip.is_trusted(conn.peer) &&
               !(hold = hold_in_flight(context_.proxied_in_flight, client))) {
        status = 503;  // the proxy's connection stays open: it serves other clients too
        retry_after = 1;
    }
    if (retry_after == 0) return std::nullopt;
    ring_counters& counted = this_ring_counters();
    (by_rate ? counted.limit_req_refused : counted.limit_conn_refused).add();
    response res = over_limit(status, retry_after);
    res.close_connection = conn.over_connection_limit;
    return res;
}

response_framing session::framing_for(const request* req, bool keep_alive) const {
    response_framing framing;
    framing.keep_alive = keep_alive;
    framing.head_request = req && req->method == http_method::head;
    framing.http10 = req && req->version_minor == 0;
    framing.security_headers = context_.security_headers;
    framing.server_tokens = context_.server_tokens;
    return framing;
}

void session::respond_error(io::connection_control& conn, int status) {
    // After malformed input the byte stream cannot be trusted: close. The method is known once
    // the request line has been read, and the answer to HEAD has no body.
    const response_framing framing = framing_for(&parser_.current(), false);
    // The headers may be cut short: the peer is the client.
    queue_answer(conn, response::error(status), framing, conn.peer);
    closing_ = true;
    conn.close_after_output = true;
}

}  // namespace ringhttpd::http
