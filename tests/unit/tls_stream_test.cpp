// tls::stream between a fake connection (what the reactor would do with its output queue) and
// a fake protocol inside, against a real OpenSSL client over memory BIOs.

#include "tls/stream.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace ringhttpd;

namespace {

// A self-signed ECDSA certificate made by the openssl CLI for the test, in a directory removed
// with it.
class certificate_dir {
  public:
    certificate_dir() {
        char tmpl[] = "/tmp/ringhttpd-tls-unit-XXXXXX";
        path_ = mkdtemp(tmpl);
        const std::string command =
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
            "-subj /CN=unit.test -keyout " +
            path_ + "/key.pem -out " + path_ + "/cert.pem >/dev/null 2>&1";
        if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl req failed");
    }
    ~certificate_dir() { std::filesystem::remove_all(path_); }
    std::vector<tls_certificate> certificates() const {
        tls_certificate c;
        c.server_names = {"unit.test"};
        c.key_pairs = {{path_ + "/cert.pem", path_ + "/key.pem", ""}};
        return {c};
    }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// The protocol inside: echoes what it receives, or sends the file it was given on "file".
struct echo final : io::stream_handler {
    std::string received;
    std::optional<io::file_range> file;
    bool close_after_answer = false;
    int drained = 0;
    int timeouts = 0;
    int shutdowns = 0;

    void on_receive(io::connection_control& conn, std::string_view bytes) override {
        received.append(bytes);
        if (bytes == "file" && file) {
            conn.out.push_file(*file);
        } else {
            conn.out.buffer().append("echo:").append(bytes);
        }
        ++conn.requests;
        conn.close_after_output = close_after_answer;
    }
    void on_output_drained(io::connection_control&) override { ++drained; }
    bool wants_input() const override { return true; }
    bool idle() const override { return true; }
    bool on_shutdown(io::connection_control&) override {
        ++shutdowns;
        return true;
    }
    void on_timeout(io::connection_control&) override { ++timeouts; }
    void recycle() override {}
    void on_work_done(io::connection_control&, std::unique_ptr<io::work_result>) override {}
};

// An OpenSSL client whose records travel through memory BIOs.
class client {
  public:
    client() : ctx_(SSL_CTX_new(TLS_client_method())) {
        ssl_ = SSL_new(ctx_);
        to_client_ = BIO_new(BIO_s_mem());
        from_client_ = BIO_new(BIO_s_mem());
        SSL_set_bio(ssl_, to_client_, from_client_);
        SSL_set_tlsext_host_name(ssl_, "unit.test");
        SSL_set_connect_state(ssl_);
    }
    ~client() {
        SSL_free(ssl_);
        SSL_CTX_free(ctx_);
    }

    // Advances the handshake, then reads whatever cleartext arrived.
    void progress() {
        if (!SSL_is_init_finished(ssl_)) SSL_do_handshake(ssl_);
        if (!SSL_is_init_finished(ssl_)) return;
        char buf[16384];
        size_t got = 0;
        while (SSL_read_ex(ssl_, buf, sizeof buf, &got) == 1) received.append(buf, got);
        closed_by_server = SSL_get_error(ssl_, 0) == SSL_ERROR_ZERO_RETURN;
        ERR_clear_error();
    }
    void write(std::string_view text) {
        size_t written = 0;
        ASSERT_EQ(SSL_write_ex(ssl_, text.data(), text.size(), &written), 1);
    }
    std::string take_records() {
        std::string out;
        char buf[16384];
        int n;
        while ((n = BIO_read(from_client_, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
        return out;
    }
    void give_records(const std::string& bytes) {
        BIO_write(to_client_, bytes.data(), int(bytes.size()));
    }
    bool connected() const { return SSL_is_init_finished(ssl_); }
    bool resumed() const { return SSL_session_reused(ssl_) == 1; }
    // The session to resume with, once the server has sent its tickets (a reference, freed
    // with SSL_SESSION_free).
    SSL_SESSION* session() const { return SSL_get1_session(ssl_); }
    void resume(SSL_SESSION* session) { SSL_set_session(ssl_, session); }
    // Sends a KeyUpdate that asks for the server's with the next write, and counts the
    // server's KeyUpdates that arrive.
    void request_key_update() {
        SSL_set_msg_callback(
            ssl_, [](int write_p, int, int type, const void* buf, size_t length, SSL*, void* arg) {
                if (!write_p && type == SSL3_RT_HANDSHAKE && length > 0 &&
                    *static_cast<const unsigned char*>(buf) == SSL3_MT_KEY_UPDATE)
                    ++*static_cast<int*>(arg);
            });
        SSL_set_msg_callback_arg(ssl_, &key_updates_received);
        ASSERT_EQ(SSL_key_update(ssl_, SSL_KEY_UPDATE_REQUESTED), 1);
    }
    int key_updates_received = 0;

    std::string received;
    bool closed_by_server = false;

  private:
    SSL_CTX* ctx_;
    SSL* ssl_;
    BIO* to_client_;
    BIO* from_client_;
};

// The worker pool, by hand: it keeps what it is given, and the test runs it on a thread of its
// own, as a worker would, when it chooses.
class hand_pool final : public io::work_runner {
  public:
    bool run_work(io::connection_control&, io::work w) override {
        if (full) return false;
        queued.push_back(std::move(w));
        return true;
    }
    // Runs the oldest job on another thread; its result, or null when nothing was queued.
    std::unique_ptr<io::work_result> run_one() {
        if (queued.empty()) return nullptr;
        io::work w = std::move(queued.front());
        queued.erase(queued.begin());
        std::unique_ptr<io::work_result> result;
        std::thread([&] { result = w(); }).join();
        return result;
    }

    std::vector<io::work> queued;
    bool full = false;
};

class tls_stream : public ::testing::Test {
  protected:
    tls_stream()
        : contexts_(std::make_shared<const tls::contexts>(certs_.certificates(),
                                                          mozilla_intermediate_ciphers)) {
        settings_.bad_request = [](io::output_queue& out, std::string_view) {
            out.buffer() = "PLAIN";
        };
        settings_.handshake_timeout_ms = 5'000;
        auto inner = std::make_unique<echo>();
        inner_ = inner.get();
        stream_ = std::make_unique<tls::stream>(contexts_, settings_, counted_, std::move(inner));
        conn_.now_ms = 1'000;
    }

    // What the reactor does: sends every queued byte, tells the handler when the queue is
    // empty. Returns what went out; `largest`: the most the queue held at once.
    std::string send_all(size_t* largest = nullptr) {
        std::string sent;
        while (true) {
            if (largest) *largest = std::max(*largest, conn_.out.pending_bytes());
            while (!conn_.out.empty()) {
                io::output_segment& front = conn_.out.front();
                EXPECT_FALSE(front.file) << "a file range reached the socket of a TLS connection";
                sent.append(front.bytes, front.sent);
                conn_.out.pop_front();
            }
            stream_->on_output_drained(conn_);
            if (conn_.out.empty()) return sent;
        }
    }

    // Records back and forth until neither side has anything to say.
    void converse(size_t* largest = nullptr) {
        for (int round = 0; round < 1000; ++round) {
            client_.progress();
            const std::string to_server = client_.take_records();
            if (!to_server.empty()) stream_->on_receive(conn_, to_server);
            while (auto result = pool_.run_one()) stream_->on_work_done(conn_, std::move(result));
            const std::string to_client = send_all(largest);
            if (to_server.empty() && to_client.empty()) return;
            client_.give_records(to_client);
        }
        FAIL() << "the conversation never ended";
    }

    certificate_dir certs_;
    std::shared_ptr<const tls::contexts> contexts_;
    tls::stream_settings settings_;
    tls::counters counted_;
    echo* inner_ = nullptr;
    std::unique_ptr<tls::stream> stream_;
    io::connection_control conn_;
    client client_;
    hand_pool pool_;
};

// The same with full handshakes handed to the pool.
class tls_stream_offload : public tls_stream {
  protected:
    tls_stream_offload() {
        settings_.handshakes_on_pool = true;
        conn_.worker = &pool_;
    }
};

}  // namespace

TEST_F(tls_stream, handshakes_then_carries_cleartext_both_ways) {
    converse();
    ASSERT_TRUE(client_.connected());
    client_.write("hello");
    converse();
    EXPECT_EQ(inner_->received, "hello");
    EXPECT_EQ(client_.received, "echo:hello");
    EXPECT_EQ(conn_.requests, 1u);
    EXPECT_FALSE(conn_.close_after_output);
    // Idle after the answer: the keep-alive deadline is the stream's to keep.
    EXPECT_EQ(conn_.deadline_ms, conn_.now_ms + settings_.keepalive_timeout_ms);
    EXPECT_FALSE(stream_->idle());
}

TEST_F(tls_stream, a_file_is_read_and_encrypted_a_chunk_at_a_time) {
    std::string content(300 * 1024, '\0');
    for (size_t i = 0; i < content.size(); ++i) content[i] = char(i * 7 + i / 1000);
    const std::string path = certs_.path() + "/body";
    std::ofstream(path, std::ios::binary) << content;
    auto fd = std::make_shared<const unique_fd>(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    inner_->file = io::file_range{fd, 1000, content.size() - 1000};
    converse();
    client_.write("file");
    size_t largest = 0;
    converse(&largest);
    EXPECT_TRUE(client_.received == content.substr(1000)) << client_.received.size();
    // Never the whole file in memory: a chunk and its records' overhead at most.
    EXPECT_LT(largest, 140u * 1024);
}

TEST_F(tls_stream, the_inner_close_sends_close_notify_and_closes) {
    inner_->close_after_answer = true;
    converse();
    client_.write("bye");
    converse();
    EXPECT_EQ(client_.received, "echo:bye");
    EXPECT_TRUE(client_.closed_by_server);
    EXPECT_TRUE(conn_.close_after_output);
    EXPECT_FALSE(stream_->wants_input());
}

TEST_F(tls_stream, cleartext_http_gets_the_plain_reply_and_a_close) {
    stream_->on_receive(conn_, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(send_all(), "PLAIN");
    EXPECT_TRUE(conn_.close_after_output);
    EXPECT_EQ(inner_->received, "");
}

TEST_F(tls_stream, garbage_closes_the_connection) {
    stream_->on_receive(conn_, std::string("\x16\x03\x01\x00\x04junk", 9));
    EXPECT_TRUE(conn_.close_after_output);
    EXPECT_EQ(inner_->received, "");
}

TEST_F(tls_stream, a_handshake_has_a_deadline_from_its_first_byte) {
    client_.progress();
    const std::string hello = client_.take_records();
    stream_->on_receive(conn_, std::string_view(hello).substr(0, 10));  // a partial record
    EXPECT_EQ(conn_.deadline_ms, 1'000 + settings_.handshake_timeout_ms);
    EXPECT_FALSE(conn_.close_after_output);
    conn_.now_ms = conn_.deadline_ms;
    stream_->on_timeout(conn_);
    EXPECT_TRUE(conn_.close_after_output);
    EXPECT_EQ(inner_->timeouts, 0);
}

TEST_F(tls_stream_offload, a_full_handshake_goes_on_on_a_worker_after_the_client_hello) {
    client_.progress();
    stream_->on_receive(conn_, client_.take_records());
    ASSERT_EQ(pool_.queued.size(), 1u);
    // Nothing is sent, and nothing read, until the worker is back.
    EXPECT_TRUE(conn_.out.empty());
    EXPECT_FALSE(stream_->wants_input());
    EXPECT_FALSE(conn_.close_after_output);
    stream_->on_work_done(conn_, pool_.run_one());
    EXPECT_FALSE(conn_.out.empty());  // the server's first flight
    client_.give_records(send_all());
    converse();
    ASSERT_TRUE(client_.connected());
    client_.write("hello");
    converse();
    EXPECT_EQ(client_.received, "echo:hello");
    EXPECT_TRUE(pool_.queued.empty());  // one step only: the rest ran here
}

TEST_F(tls_stream_offload, a_full_pool_keeps_the_handshake_on_the_ring) {
    pool_.full = true;
    converse();
    ASSERT_TRUE(client_.connected());
    client_.write("hello");
    converse();
    EXPECT_EQ(client_.received, "echo:hello");
}

TEST_F(tls_stream_offload, a_timeout_while_a_worker_has_the_handshake_closes_and_drops_it) {
    client_.progress();
    stream_->on_receive(conn_, client_.take_records());
    ASSERT_EQ(pool_.queued.size(), 1u);
    conn_.now_ms = conn_.deadline_ms;
    stream_->on_timeout(conn_);
    EXPECT_TRUE(conn_.close_after_output);
    // The reactor drops the handler; the worker still finishes with the OpenSSL state it shares.
    stream_.reset();
    EXPECT_NE(pool_.run_one(), nullptr);
}

TEST_F(tls_stream_offload, what_the_client_sends_meanwhile_reaches_openssl_after_the_step) {
    client_.progress();
    stream_->on_receive(conn_, client_.take_records());
    ASSERT_EQ(pool_.queued.size(), 1u);
    // A record OpenSSL must refuse at this point (application data before the handshake's end),
    // arriving while the worker has the handshake: it is held, then read, and fails it.
    stream_->on_receive(conn_, std::string("\x17\x03\x03\x00\x05hello", 10));
    EXPECT_FALSE(conn_.close_after_output);
    stream_->on_work_done(conn_, pool_.run_one());
    EXPECT_TRUE(conn_.close_after_output);
    EXPECT_EQ(inner_->received, "");
}

TEST_F(tls_stream_offload, a_resumed_handshake_stays_on_the_ring) {
    converse();
    client_.write("one");
    converse();  // the tickets come after the handshake
    ASSERT_EQ(client_.received, "echo:one");
    SSL_SESSION* session = client_.session();
    ASSERT_NE(session, nullptr);
    // A new connection of the same client, offering the session.
    auto inner = std::make_unique<echo>();
    stream_ = std::make_unique<tls::stream>(contexts_, settings_, counted_, std::move(inner));
    client again;
    again.resume(session);
    SSL_SESSION_free(session);
    for (int round = 0; round < 20 && !again.connected(); ++round) {
        again.progress();
        const std::string to_server = again.take_records();
        if (!to_server.empty()) stream_->on_receive(conn_, to_server);
        EXPECT_TRUE(pool_.queued.empty()) << "a resumed handshake went to the pool";
        again.give_records(send_all());
    }
    ASSERT_TRUE(again.connected());
    EXPECT_TRUE(again.resumed());
}

TEST_F(tls_stream, a_key_update_the_client_asks_for_is_answered_and_followed) {
    converse();
    ASSERT_TRUE(client_.connected());
    client_.request_key_update();
    client_.write("one");
    converse();
    // The answer came under the server's new keys, after its KeyUpdate.
    EXPECT_EQ(client_.key_updates_received, 1);
    EXPECT_EQ(client_.received, "echo:one");
    EXPECT_FALSE(conn_.close_after_output);
    client_.request_key_update();
    client_.write("two");
    converse();
    EXPECT_EQ(client_.key_updates_received, 2);
    EXPECT_EQ(client_.received, "echo:oneecho:two");
}

TEST_F(tls_stream_offload, a_drain_while_a_worker_has_the_handshake_reaches_the_inner_handler) {
    client_.progress();
    stream_->on_receive(conn_, client_.take_records());
    ASSERT_EQ(pool_.queued.size(), 1u);
    EXPECT_FALSE(stream_->on_shutdown(conn_));  // the reactor says it once, now
    EXPECT_EQ(inner_->shutdowns, 0);
    stream_->on_work_done(conn_, pool_.run_one());
    EXPECT_EQ(inner_->shutdowns, 1);
    client_.give_records(send_all());
    converse();
    EXPECT_TRUE(client_.connected());
}
