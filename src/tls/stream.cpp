#include "tls/stream.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>

#include "io/file_sender.hpp"
#include "tls/handshake_offload.hpp"

#include <spdlog/spdlog.h>

namespace ringhttpd::tls {
namespace {

// Cleartext is encrypted while the connection's queue holds less than this: it bounds the
// memory a connection holds, and leaves the rest in the inner queue, where the inner handler
// sees it and holds back further requests (its own backpressure).
constexpr size_t encrypted_high_water = 64 * 1024;
// The most cleartext encrypted in one go, and the size of one chunk of a file read to be sent.
constexpr size_t encrypt_batch = 64 * 1024;
// The largest TLS record's cleartext, and what a record adds to it at most with the suites
// offered (a 5-byte header, TLS 1.3's content type byte, a 16-byte AEAD tag; TLS 1.2's GCM
// explicit nonce is 8 more).
constexpr size_t max_record = 16 * 1024;
constexpr size_t record_overhead = 5 + 8 + 16 + 1;

// A chunk of a file read on the worker pool.
struct file_chunk final : io::work_result {
    std::string bytes;
};

// Reads up to `length` bytes at `offset` into `into`; fewer only at the end of the file or on
// an error. Returns how many.
size_t read_into(int fd, off_t offset, char* into, size_t length) {
    size_t got = 0;
    while (got < length) {
        const ssize_t n = pread(fd, into + got, length - got, offset + off_t(got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += size_t(n);
    }
    return got;
}

// The same into a string of its own (for a chunk read on the worker pool).
std::string read_chunk(int fd, off_t offset, size_t length) {
    std::string bytes(length, '\0');
    bytes.resize(read_into(fd, offset, bytes.data(), length));
    return bytes;
}

// Why a handshake failed, by OpenSSL's reason for it.
tls_failure failure_of(unsigned long error) {
    switch (ERR_GET_REASON(error)) {
        case SSL_R_UNSUPPORTED_PROTOCOL:
        case SSL_R_WRONG_VERSION_NUMBER:
        case SSL_R_VERSION_TOO_LOW:
        case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
            return tls_failure::protocol_version;
        case SSL_R_NO_SHARED_CIPHER:
            return tls_failure::no_shared_cipher;
        case SSL_R_NO_APPLICATION_PROTOCOL:
            return tls_failure::no_application_protocol;
        default:
            return tls_failure::other;
    }
}

// The client certificate's verdict, and its subject when it verified.
client_verify client_certificate_of(SSL* ssl, std::string& subject) {
    X509* certificate = SSL_get0_peer_certificate(ssl);
    if (!certificate) return client_verify::none;
    if (SSL_get_verify_result(ssl) != X509_V_OK) return client_verify::failed;
    BIO* text = BIO_new(BIO_s_mem());
    if (text &&
        X509_NAME_print_ex(text, X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253) >= 0) {
        char* data = nullptr;
        const long length = BIO_get_mem_data(text, &data);
        subject.assign(data, size_t(length));
    }
    BIO_free(text);
    return client_verify::success;
}

}  // namespace

stream::stream(std::shared_ptr<const contexts> tls, const stream_settings& settings,
               counters& counted, std::unique_ptr<io::stream_handler> inner)
    : tls_(std::move(tls)), settings_(settings), counted_(counted), inner_(std::move(inner)) {
    reset_session();
}

stream::~stream() = default;

void stream::reset_session() {
    state_ = std::make_shared<ssl_state>(tls_);  // without `ssl` the first bytes close it
    handshake_on_worker_ = false;
    held_input_.clear();
}

void stream::enter(io::connection_control& conn) {
    outer_ = &conn;
    state_->ends.out = &conn.out;
    state_->ends.fd = conn.fd;
    inner_conn_.now_ms = conn.now_ms;
    inner_conn_.peer = conn.peer;
    inner_conn_.listener = conn.listener;
    inner_conn_.over_connection_limit = conn.over_connection_limit;
    inner_conn_.worker = conn.worker ? this : nullptr;
}

void stream::leave(io::connection_control& conn) {
    if (handshake_on_worker_) {  // the worker has the OpenSSL state now
        outer_ = nullptr;
        return;
    }
    // Also once closed: an alert or close_notify may wait for the keys to reach the socket.
    if (!state_->ends.ktls.start_when_drained(conn.fd, conn.out)) {
        spdlog::debug("kTLS: the kernel refused the keys; closing the connection");
        fail(conn);
    }
    conn.kernel_tls = state_->ends.ktls.started();
    if (phase_ == phase::open) {
        if (state_->ends.ktls.accepted()) {
            pass_output(conn);
        } else {
            encrypt_output(conn);
        }
    }
    conn.requests = inner_conn_.requests;
    if (phase_ == phase::open) {
        if (inner_conn_.deadline_ms != 0) {
            conn.deadline_ms = inner_conn_.deadline_ms;  // a request head or body in progress
        } else if (inner_->idle() && inner_conn_.out.empty() && !reading_file_) {
            // Between requests: the reactor's keep-alive timeout, which it cannot keep for a
            // connection whose handler stays.
            conn.deadline_ms =
                conn.now_ms + (inner_conn_.requests > 0 ? settings_.keepalive_timeout_ms
                                                        : settings_.first_request_timeout_ms);
        } else {
            conn.deadline_ms = 0;  // answering: the send timeout covers it
        }
    }
    state_->ends.out = nullptr;
    state_->ends.fd = -1;
    outer_ = nullptr;
}

void stream::on_receive(io::connection_control& conn, std::string_view bytes) {
    if (handshake_on_worker_) {
        held_input_.append(bytes);  // for when the step is back
        return;
    }
    enter(conn);
    if (phase_ == phase::fresh) {
        // Every TLS connection starts with a handshake record (0x16); an upper-case letter is
        // the method of a cleartext HTTP request.
        if (!bytes.empty() && bytes[0] >= 'A' && bytes[0] <= 'Z') {
            settings_.bad_request(conn.out, "The plain HTTP request was sent to HTTPS port");
            counted_.failures[size_t(tls_failure::http_request)].add();
            phase_ = phase::closed;
            conn.close_after_output = true;
        } else if (!state_->ssl) {
            fail(conn);
        } else {
            phase_ = phase::handshaking;
            conn.deadline_ms = conn.now_ms + settings_.handshake_timeout_ms;
            if (settings_.handshakes_on_pool && conn.worker)
                state_->ends.place = handshake_place::pool_allowed;
        }
    }
    if (phase_ == phase::handshaking || phase_ == phase::open) {
        state_->ends.input = bytes;
        read_records(conn);
        // OpenSSL keeps what it has not used (a partial record) itself.
        if (!handshake_on_worker_) state_->ends.input = {};
    }
    leave(conn);
}

void stream::read_records(io::connection_control& conn) {
    if (phase_ == phase::handshaking) {
        int done = SSL_do_handshake(state_->ssl);
        if (done != 1 && SSL_get_error(state_->ssl, done) == SSL_ERROR_WANT_CLIENT_HELLO_CB) {
            if (hand_handshake_to_worker(conn)) return;
            done = SSL_do_handshake(state_->ssl);  // the pool is full: here after all
        }
        if (done != 1) {
            if (SSL_get_error(state_->ssl, done) != SSL_ERROR_WANT_READ)
                fail_handshake(conn, failure_of(ERR_peek_error()));
            return;
        }
        on_handshake_done();
    }
    char cleartext[max_record];
    size_t got = 0;
    while (SSL_read_ex(state_->ssl, cleartext, sizeof cleartext, &got) == 1) {
        if (lacks_certificate_) {
            refuse_for_certificate();  // and what it sent is not read
            continue;
        }
        inner_->on_receive(inner_conn_, {cleartext, got});
    }
    switch (SSL_get_error(state_->ssl, 0)) {
        case SSL_ERROR_WANT_READ:
            return answer_key_update(conn);
        case SSL_ERROR_ZERO_RETURN:
            // The client's close_notify: it sends no more. Answer what it asked, then close.
            inner_conn_.close_after_output = true;
            return;
        default:
            fail(conn);
    }
}

bool stream::hand_handshake_to_worker(io::connection_control& conn) {
    unique_fd socket;
    if (state_->ends.kernel_may_seal) {
        socket.reset(fcntl(conn.fd, F_DUPFD_CLOEXEC, 0));
        if (!socket) return false;
    }
    // The worker reads its own copy of what followed the ClientHello, and from the moment it
    // is queued nothing here touches the OpenSSL state (leave() included) until it is back.
    const std::string_view input = std::exchange(state_->ends.input, {});
    io::work step = handshake_step_on_worker(state_, std::string(input), std::move(socket));
    handshake_on_worker_ = true;
    if (conn.worker->run_work(conn, std::move(step))) return true;
    handshake_on_worker_ = false;
    state_->ends.input = input;
    return false;
}

void stream::on_handshake_step(io::connection_control& conn,
                               std::unique_ptr<io::work_result> result) {
    handshake_on_worker_ = false;
    auto* step = dynamic_cast<handshake_step*>(result.get());
    if (phase_ != phase::handshaking) return;  // timed out meanwhile
    if (!step) return fail_handshake(conn, tls_failure::other);
    conn.out.take_all(step->records);
    const std::string input = std::move(held_input_);
    held_input_.clear();
    if (step->error == SSL_ERROR_NONE) {
        on_handshake_done();
    } else if (step->error != SSL_ERROR_WANT_READ) {
        return fail_handshake(conn, failure_of(step->reason));
    }
    state_->ends.input = input;
    read_records(conn);  // what came meanwhile: the client's Finished, or a request
    state_->ends.input = {};
}

void stream::answer_key_update(io::connection_control& conn) {
    // The client's KeyUpdate asked for ours (RFC 8446 §4.6.3), which OpenSSL 3.0 would send
    // only from SSL_write, and the sealer's responses never call it: asked for here, before
    // the responses to what was read are sealed (with the new keys, after it).
    if (!state_->ends.sealer.accepted() ||
        SSL_get_key_update_type(state_->ssl) == SSL_KEY_UPDATE_NONE)
        return;
    if (SSL_key_update(state_->ssl, SSL_KEY_UPDATE_NOT_REQUESTED) != 1 ||
        SSL_do_handshake(state_->ssl) != 1)
        fail(conn);
}

void stream::on_handshake_done() {
    phase_ = phase::open;
    info_.protocol = SSL_get_version(state_->ssl);
    info_.cipher = SSL_get_cipher_name(state_->ssl);
    const char* server_name = SSL_get_servername(state_->ssl, TLSEXT_NAMETYPE_host_name);
    info_.server_name = server_name ? server_name : "";
    info_.session_reused = SSL_session_reused(state_->ssl) == 1;
    info_.client = client_certificate_of(state_->ssl, info_.client_subject);
    inner_conn_.tls = &info_;
    lacks_certificate_ =
        info_.client != client_verify::success && tls_->requires_client_certificate(state_->ssl);
    const bool tls13 = SSL_version(state_->ssl) == TLS1_3_VERSION;
    counted_.handshakes[tls13][info_.session_reused].add();
}

void stream::refuse_for_certificate() {
    if (inner_conn_.close_after_output) return;  // answered already
    settings_.bad_request(inner_conn_.out, info_.client == client_verify::none
                                               ? "No required SSL certificate was sent"
                                               : "The SSL certificate error");
    inner_conn_.close_after_output = true;
    counted_.failures[size_t(tls_failure::client_certificate)].add();
}

void stream::encrypt_output(io::connection_control& conn) {
    while (phase_ == phase::open && !reading_file_ &&
           conn.out.pending_bytes() < encrypted_high_water) {
        if (inner_conn_.out.empty()) {
            if (inner_conn_.close_after_output) return finish(conn);
            // As the reactor tells a cleartext handler: what it queued is on its way, so it
            // may go on with requests it held back.
            inner_->on_output_drained(inner_conn_);
            if (inner_conn_.out.empty() && !inner_conn_.close_after_output) return;
            continue;
        }
        if (!encrypt_front(conn)) return;
    }
}

void stream::pass_output(io::connection_control& conn) {
    // Until the keys are on the socket, the response waits with OpenSSL's own records.
    if (!state_->ends.ktls.started()) return;
    // The inner handler's queue moves whole into the connection's once that one is empty: the
    // handler sees its output drain when the ring has sent it, as over cleartext.
    while (phase_ == phase::open && conn.out.empty()) {
        if (inner_conn_.out.empty()) {
            if (inner_conn_.close_after_output) return finish(conn);
            inner_->on_output_drained(inner_conn_);
            if (inner_conn_.out.empty() && !inner_conn_.close_after_output) return;
            continue;
        }
        conn.out.take_all(inner_conn_.out);
    }
}

bool stream::encrypt_front(io::connection_control& conn) {
    io::output_segment& segment = inner_conn_.out.front();
    if (segment.unsent() == 0) {
        if (segment.file && segment.file->length > 0) return read_file_chunk(conn, segment);
        inner_conn_.out.pop_front();
        return true;
    }
    const size_t length = std::min(segment.unsent(), encrypt_batch);
    if (!encrypt(conn, segment.bytes.data() + segment.sent, length)) return false;
    segment.sent += length;
    return true;
}

bool stream::encrypt(io::connection_control& conn, const char* cleartext, size_t length) {
    std::string& ciphertext = conn.out.buffer();
    if (state_->ends.sealer.accepted()) {
        // Sealed from where it lies straight into the queue (record_sealer.hpp).
        if (state_->ends.sealer.seal(ciphertext, application_data, cleartext, length)) return true;
        fail(conn);
        return false;
    }
    // OpenSSL's own records land in the connection's last buffer: made room for at once, they
    // are written into it without the buffer growing (and copying itself) record by record.
    ciphertext.reserve(ciphertext.size() + length + (length / max_record + 1) * record_overhead);
    size_t written = 0;
    // The BIO takes every record whole, so a write never stops part way.
    if (SSL_write_ex(state_->ssl, cleartext, length, &written) != 1 || written != length) {
        fail(conn);
        return false;
    }
    return true;
}

bool stream::read_file_chunk(io::connection_control& conn, io::output_segment& segment) {
    io::file_range& file = *segment.file;
    const size_t length = size_t(std::min<uint64_t>(file.length, encrypt_batch));
    // Per ring thread, as the reactor keeps one per ring: the memo of recent answers.
    thread_local io::page_cache_check page_cache;
    if (conn.worker && !page_cache.chunk_resident(file, length, conn.now_ms)) {
        // Not all in the page cache: a read here could wait for the disk and stall the ring.
        auto read = [fd = file.fd, offset = file.offset, length]() {
            auto chunk = std::make_unique<file_chunk>();
            chunk->bytes = read_chunk(fd->get(), offset, length);
            return chunk;
        };
        if (conn.worker->run_work(conn, std::move(read))) {
            reading_file_ = true;
            return false;
        }
        // The pool's queue is full: read on the ring after all, as a sendfile would.
    }
    // In the page cache: read into this ring's scratch buffer and encrypted from there, with no
    // allocation (or zeroing) per chunk.
    thread_local std::unique_ptr<char[]> scratch(new char[encrypt_batch]);
    const size_t got = read_into(file.fd->get(), file.offset, scratch.get(), length);
    if (got == 0) {
        // The file shrank under us: the promised Content-Length cannot be met.
        spdlog::warn("file ended {} bytes early mid-response; closing the connection", file.length);
        fail(conn);
        return false;
    }
    file.offset += off_t(got);
    file.length -= got;
    return encrypt(conn, scratch.get(), got);
}

void stream::on_output_drained(io::connection_control& conn) {
    if (handshake_on_worker_) return;  // nothing was queued: the step's records come later
    enter(conn);
    leave(conn);
}

bool stream::wants_input() const {
    if (handshake_on_worker_) return false;  // the client has nothing to say before the flight
    if (phase_ == phase::open) return inner_->wants_input();
    return phase_ != phase::closed;
}

bool stream::on_shutdown(io::connection_control& conn) {
    if (handshake_on_worker_) {
        shutdown_after_step_ = true;  // the reactor tells once: passed on when the step is back
        return false;
    }
    enter(conn);
    shut_down(conn);
    leave(conn);
    // Never handed back as idle: the reactor would drop the TLS session with it.
    return false;
}

void stream::shut_down(io::connection_control& conn) {
    const bool inner_idle = inner_->on_shutdown(inner_conn_);
    if (phase_ == phase::open && inner_idle && inner_conn_.out.empty() && !reading_file_)
        finish(conn);
}

void stream::on_timeout(io::connection_control& conn) {
    if (handshake_on_worker_) {
        // The worker keeps its share of the OpenSSL state and drops it when done.
        counted_.failures[size_t(tls_failure::timeout)].add();
        phase_ = phase::closed;
        conn.close_after_output = true;
        conn.deadline_ms = 0;
        return;
    }
    enter(conn);
    if (phase_ == phase::open && inner_conn_.deadline_ms != 0 &&
        conn.now_ms >= inner_conn_.deadline_ms) {
        inner_->on_timeout(inner_conn_);  // e.g. 408 for a request head that took too long
    } else if (phase_ == phase::open) {
        finish(conn);  // idle too long between requests
    } else {
        fail_handshake(conn, tls_failure::timeout);
    }
    leave(conn);
}

void stream::recycle() {
    inner_->recycle();
    inner_conn_ = {};
    reset_session();
    phase_ = phase::fresh;
    reading_file_ = false;
    lacks_certificate_ = false;
    info_ = {};
}

void stream::on_work_done(io::connection_control& conn, std::unique_ptr<io::work_result> result) {
    enter(conn);
    if (handshake_on_worker_) {
        on_handshake_step(conn, std::move(result));
        if (std::exchange(shutdown_after_step_, false)) shut_down(conn);
    } else if (reading_file_) {
        reading_file_ = false;
        auto* chunk = dynamic_cast<file_chunk*>(result.get());
        io::output_segment& segment = inner_conn_.out.front();
        if (!chunk || chunk->bytes.empty()) {
            spdlog::warn("file ended {} bytes early mid-response; closing the connection",
                         segment.file->length);
            fail(conn);
        } else {
            segment.file->offset += off_t(chunk->bytes.size());
            segment.file->length -= chunk->bytes.size();
            segment.bytes = std::move(chunk->bytes);
            segment.sent = 0;
        }
    } else {
        inner_->on_work_done(inner_conn_, std::move(result));
    }
    leave(conn);
}

bool stream::run_work(io::connection_control&, io::work w) {
    return outer_ && outer_->worker && outer_->worker->run_work(*outer_, std::move(w));
}

void stream::finish(io::connection_control& conn) {
    if (phase_ == phase::open)
        SSL_shutdown(state_->ssl);  // queues close_notify; the client's is not awaited
    ERR_clear_error();
    phase_ = phase::closed;
    conn.close_after_output = true;
    conn.deadline_ms = 0;
}

void stream::fail_handshake(io::connection_control& conn, tls_failure why) {
    counted_.failures[size_t(why)].add();
    fail(conn);
}

void stream::fail(io::connection_control& conn) {
    // Whatever OpenSSL queued (an alert) still goes out; the error must not linger in this
    // thread's queue, where the next connection's SSL_get_error would find it.
    ERR_clear_error();
    phase_ = phase::closed;
    conn.close_after_output = true;
    conn.deadline_ms = 0;
}

}  // namespace ringhttpd::tls
