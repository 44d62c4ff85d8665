// TLS listeners with real clients: openssl s_client, curl and Python's ssl against a server
// with three certificates (the default site's RSA one, two sites' ECDSA P-256 ones), all made
// at test time by the openssl CLI and signed by a throwaway CA.

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <cctype>
#include <chrono>
#include <random>

#include "harness.hpp"
#include "tls_files.hpp"

using namespace e2e;

namespace {

std::string lowercase(std::string text) {
    for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// Reads and drops whatever comes (a TLS alert) until the server closes; false on timeout.
bool closes_within(const client& c, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{c.fd(), POLLIN, 0};
        if (poll(&p, 1, int(left.count())) <= 0) return false;
        const ssize_t n = ::recv(c.fd(), buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
    }
}

class tls : public ::testing::Test {
  protected:
    void SetUp() override {
        make_test_ca(dir_);
        make_test_certificate(dir_, "default", "default.test", "rsa", "DNS:default.test");
        make_test_certificate(dir_, "a", "a.test", "ec", "DNS:a.test");
        make_test_certificate(dir_, "b", "b.test", "ec", "DNS:*.b.test");
        dir_.write("a/index.html", "site a\n");
        dir_.write("b/index.html", "site b\n");
        std::string big(1024 * 1024, '\0');
        std::mt19937 bytes(20);
        for (char& c : big) c = char(bytes());
        dir_.write("a/big.bin", big);
        big_ = big;
        dir_.write("ringhttpd.toml", config_text());
        tls_port_ = std::to_string(free_port());
        std::vector<std::string> args{"-c",
                                      file("ringhttpd.toml"),
                                      "--listen",
                                      "127.0.0.1:0,127.0.0.1:" + tls_port_ + " tls",
                                      "--client-header-timeout",
                                      "1s"};
        const std::vector<std::string> extra = extra_args();
        args.insert(args.end(), extra.begin(), extra.end());
        server_ = std::make_unique<server_process>(args);
    }

    virtual std::vector<std::string> extra_args() const { return {}; }
    virtual std::string config_text() const {
        return "tls_certificate = \"" + file("default.pem") + "\"\ntls_certificate_key = \"" +
               file("default.key") + "\"\n" + site("a", "a.test") + site("b", "*.b.test");
    }

    std::string file(const std::string& name) const { return dir_.path() + "/" + name; }

    std::string site(const std::string& name, const std::string& server_name) const {
        return "\n[[site]]\nserver_name = \"" + server_name + "\"\nroot = \"" + file(name) +
               "\"\ntls_certificate = \"" + file(name + ".pem") + "\"\ntls_certificate_key = \"" +
               file(name + ".key") + "\"\n";
    }

    // What openssl s_client prints, connecting with `options` ("-servername a.test").
    std::string s_client(const std::string& options) const {
        return capture("openssl s_client -connect 127.0.0.1:" + tls_port_ + " " + options +
                       " </dev/null 2>&1");
    }

    std::string subject_for(const std::string& options) const {
        const std::string out = s_client(options);
        const size_t at = out.find("subject=");
        return at == std::string::npos ? out : out.substr(at, out.find('\n', at) - at);
    }

    std::string curl(const std::string& host, const std::string& path,
                     const std::string& options = "") const {
        return capture("curl -s --cacert " + file("ca.pem") + " --resolve " + host + ":" +
                       tls_port_ + ":127.0.0.1 " + options + " https://" + host + ":" + tls_port_ +
                       path);
    }

    std::string python(const std::string& check, const std::string& more = "") const {
        return capture("python3 " + std::string(RINGHTTPD_TESTS_DIR) + "/e2e/tls_client.py " +
                       check + " " + tls_port_ + " " + file("ca.pem") + " " + more + " 2>&1");
    }

    temp_dir dir_;
    std::string big_;
    std::string tls_port_;
    std::unique_ptr<server_process> server_;
};

}  // namespace

TEST_F(tls, sni_picks_each_sites_certificate_and_the_default_answers_the_rest) {
    EXPECT_EQ(subject_for("-servername a.test"), "subject=CN = a.test");
    EXPECT_EQ(subject_for("-servername www.b.test"), "subject=CN = b.test");
    EXPECT_EQ(subject_for("-servername A.TEST"), "subject=CN = a.test");
    EXPECT_EQ(subject_for("-servername unknown.test"), "subject=CN = default.test");
    EXPECT_EQ(subject_for("-noservername"), "subject=CN = default.test");
    // Verified against the CA by curl, and each site serves its own files.
    EXPECT_EQ(curl("a.test", "/"), "site a\n");
    EXPECT_EQ(curl("www.b.test", "/"), "site b\n");
}

TEST_F(tls, speaks_tls_1_2_and_1_3_and_refuses_1_0_and_1_1) {
    EXPECT_EQ(python("versions"), "ok\n");
}

TEST_F(tls, alpn_chooses_http_1_1) {
    EXPECT_EQ(python("alpn"), "ok\n");
    EXPECT_NE(s_client("-servername a.test -alpn h2,http/1.1").find("ALPN protocol: http/1.1"),
              std::string::npos);
}

TEST_F(tls, sessions_resume_by_tls_1_2_session_and_tls_1_3_ticket) {
    const std::string session = file("session.pem");
    const std::string first = s_client("-servername a.test -tls1_2 -sess_out " + session);
    ASSERT_NE(first.find("New, TLSv1.2"), std::string::npos) << first;
    const std::string second = s_client("-servername a.test -tls1_2 -sess_in " + session);
    EXPECT_NE(second.find("Reused, TLSv1.2"), std::string::npos) << second;
    EXPECT_EQ(python("resumption"), "ok\n");
}

TEST_F(tls, keep_alive_and_pipelined_requests) {
    EXPECT_EQ(python("keepalive"), "ok\n");
}

TEST_F(tls, a_megabyte_file_arrives_byte_exact_from_the_page_cache_and_from_disk) {
    const std::string out = file("got.bin");
    EXPECT_EQ(curl("a.test", "/big.bin", "-o " + out + " -w '%{http_code}'"), "200");
    EXPECT_TRUE(read_file(out) == big_) << "the file differs";
    // Written back and evicted from the page cache: the chunks are read on the worker pool.
    capture("python3 -c 'import os; f = os.open(\"" + file("a/big.bin") +
            "\", os.O_RDONLY); os.fsync(f); os.posix_fadvise(f, 0, 0, os.POSIX_FADV_DONTNEED)'");
    std::remove(out.c_str());
    EXPECT_EQ(curl("a.test", "/big.bin", "-o " + out + " -w '%{http_code}'"), "200");
    EXPECT_TRUE(read_file(out) == big_) << "the file differs";
}

TEST_F(tls, plain_http_on_the_tls_port_gets_400_and_a_close) {
    client c(uint16_t(std::stoi(tls_port_)));
    auto res = c.roundtrip(get("/"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    EXPECT_NE(res->body.find("The plain HTTP request was sent to HTTPS port"), std::string::npos)
        << res->body;
    EXPECT_EQ(res->header("connection"), "close");
    EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(tls, a_stalled_handshake_is_closed_after_the_header_timeout) {
    client c(uint16_t(std::stoi(tls_port_)));
    const auto start = std::chrono::steady_clock::now();
    c.send(std::string("\x16\x03\x01", 3));  // the start of a record, and then nothing
    EXPECT_TRUE(closes_within(c, std::chrono::seconds(5)));
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
}

TEST_F(tls, garbage_is_answered_with_an_alert_and_a_close) {
    client c(uint16_t(std::stoi(tls_port_)));
    c.send(std::string("\x16\x03\x01\x00\x08garbage!", 13));
    EXPECT_TRUE(closes_within(c, std::chrono::seconds(2)));
}

TEST_F(tls, cleartext_listeners_beside_it_are_untouched) {
    client c(server_->port());
    auto res = c.roundtrip(get("/api/hello"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
}

TEST_F(tls, a_reload_swaps_certificates_and_keeps_them_when_the_new_ones_are_broken) {
    make_test_certificate(dir_, "a", "a2.test", "ec", "DNS:a.test");  // same files, new certificate
    server_->signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        patience, [&] { return subject_for("-servername a.test") == "subject=CN = a2.test"; },
        "the reloaded certificate"));
    dir_.write("a.key", "not a key\n");
    server_->signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        patience, [&] { return server_->log().find("a.key") != std::string::npos; },
        "the refused reload naming the key"));
    EXPECT_EQ(subject_for("-servername a.test"), "subject=CN = a2.test");
}

TEST_F(tls, a_reload_under_load_fails_no_request) {
    EXPECT_EQ(python("reload", std::to_string(server_->pid())), "ok\n");
    // Each of the five reloads built new certificates; none was refused.
    ASSERT_TRUE(wait_until(
        patience, [&] { return server_->log().find("reload 5: applied") != std::string::npos; },
        "the fifth reload"));
}

TEST_F(tls, the_fuzzers_seed_corpus_over_tls_gets_answers_and_no_hang) {
    const std::string out = python("corpus", std::string(RINGHTTPD_TESTS_DIR) + "/fuzz/corpus");
    EXPECT_TRUE(out.starts_with("ok ")) << out;  // scripts/fuzz.sh replays the grown corpus
}

class tls_limited : public tls {
    std::vector<std::string> extra_args() const override { return {"--limit-conn", "1"}; }
};

TEST_F(tls_limited, connection_limits_count_tls_connections) {
    EXPECT_EQ(python("limit"), "ok\n");
}

TEST(tls_config, a_key_that_does_not_match_fails_the_test_and_the_start_naming_the_file) {
    temp_dir dir;
    make_test_ca(dir);
    make_test_certificate(dir, "a", "a.test", "ec", "DNS:a.test");
    make_test_certificate(dir, "b", "b.test", "ec", "DNS:b.test");
    const std::vector<std::string> args{"--root",
                                        RINGHTTPD_STATIC_DIR,
                                        "--listen",
                                        "127.0.0.1:0 tls",
                                        "--tls-certificate",
                                        dir.path() + "/a.pem",
                                        "--tls-certificate-key",
                                        dir.path() + "/b.key"};
    std::vector<std::string> test = args;
    test.push_back("-t");
    for (const auto& run : {test, args}) {
        auto [status, output] = run_binary(run);
        EXPECT_EQ(status, 1) << output;
        EXPECT_NE(output.find(dir.path() + "/b.key"), std::string::npos) << output;
        EXPECT_NE(output.find("does not match"), std::string::npos) << output;
    }
}

TEST(tls_config, a_missing_certificate_or_none_at_all_fails_the_test) {
    temp_dir dir;
    auto [status, output] = run_binary(
        {"-t", "--root", RINGHTTPD_STATIC_DIR, "--listen", "127.0.0.1:0 tls", "--tls-certificate",
         dir.path() + "/none.pem", "--tls-certificate-key", dir.path() + "/none.key"});
    EXPECT_EQ(status, 1) << output;
    EXPECT_NE(output.find(dir.path() + "/none.pem: No such file or directory"), std::string::npos)
        << output;
    std::tie(status, output) =
        run_binary({"-t", "--root", RINGHTTPD_STATIC_DIR, "--listen", "127.0.0.1:0 ssl"});
    EXPECT_EQ(status, 1) << output;
    EXPECT_NE(output.find("set tls_certificate and tls_certificate_key"), std::string::npos)
        << output;
}

// ECDSA and RSA side by side, client certificates required and optional, HSTS, and what the
// metrics and the JSON access log say about TLS.
class tls_sites : public tls {
  protected:
    void SetUp() override {
        metrics_port_ = std::to_string(free_port());
        tls::SetUp();
        make_test_certificate(dir_, "alice", "alice", "ec", "DNS:alice");  // signed by the CA
        capture("cd " + dir_.path() +
                " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                "-keyout mallory.key -out mallory.pem -days 2 -subj /CN=mallory 2>&1");
    }

    std::vector<std::string> extra_args() const override {
        return {"--metrics-listen", "127.0.0.1:" + metrics_port_,
                "--log-format",     "json",
                "--access-log",     file("access.log")};
    }

    std::string config_text() const override {
        // The default certificates also name the sites that share them.
        const std::string names = "DNS:default.test,DNS:m.test,DNS:o.test";
        make_test_certificate(dir_, "default", "default.test", "rsa", names);
        make_test_certificate(dir_, "default-ec", "default.test", "ec", names);
        const std::string client_ca = "tls_client_certificate = \"" + file("ca.pem") + "\"\n";
        return "tls_certificate = [\"" + file("default.pem") + "\", \"" + file("default-ec.pem") +
               "\"]\ntls_certificate_key = [\"" + file("default.key") + "\", \"" +
               file("default-ec.key") + "\"]\nhsts = \"max-age=63072000; includeSubDomains\"\n" +
               site("a", "a.test") + "hsts = \"\"\n" +
               "\n[[site]]\nserver_name = \"m.test\"\nroot = \"" + file("a") + "\"\n" + client_ca +
               "tls_verify_client = \"on\"\n" + "\n[[site]]\nserver_name = \"o.test\"\nroot = \"" +
               file("b") + "\"\n" + client_ca + "tls_verify_client = \"optional\"\n";
    }

    std::string with_certificate(const std::string& name) const {
        return "--cert " + file(name + ".pem") + " --key " + file(name + ".key");
    }

    std::string metrics() const {
        return capture("curl -s http://127.0.0.1:" + metrics_port_ + "/metrics");
    }

    std::string metrics_port_;
};

TEST_F(tls_sites, ecdsa_and_rsa_certificates_are_served_side_by_side) {
    // By the signature algorithms the client accepts (TLS 1.3), and by its cipher suites (1.2).
    EXPECT_NE(s_client("-tls1_3 -sigalgs ecdsa_secp256r1_sha256").find("public key is 256 bit"),
              std::string::npos);
    EXPECT_NE(s_client("-tls1_3 -sigalgs rsa_pss_rsae_sha256").find("public key is 2048 bit"),
              std::string::npos);
    EXPECT_NE(s_client("-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256").find("2048 bit"),
              std::string::npos);
    EXPECT_NE(s_client("-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256").find("256 bit"),
              std::string::npos);
}

TEST_F(tls_sites, a_second_certificate_of_the_same_key_type_is_refused_naming_it) {
    auto [status, output] =
        run_binary({"-t", "--root", RINGHTTPD_STATIC_DIR, "--listen", "127.0.0.1:0 tls",
                    "--tls-certificate", file("a.pem") + "," + file("default-ec.pem"),
                    "--tls-certificate-key", file("a.key") + "," + file("default-ec.key")});
    EXPECT_EQ(status, 1) << output;
    EXPECT_NE(output.find(file("default-ec.pem") + ": a certificate with this key type"),
              std::string::npos)
        << output;
}

TEST_F(tls_sites, a_site_that_requires_client_certificates_answers_only_valid_ones) {
    const std::string status = " -o /dev/null -w '%{http_code}'";
    EXPECT_EQ(curl("m.test", "/", with_certificate("alice") + status), "200");
    const std::string none = curl("m.test", "/");
    EXPECT_NE(none.find("400 Bad Request: No required SSL certificate was sent"), std::string::npos)
        << none;
    const std::string bad = curl("m.test", "/", with_certificate("mallory"));
    EXPECT_NE(bad.find("400 Bad Request: The SSL certificate error"), std::string::npos) << bad;
    // Optional: served either way. Other sites never ask.
    EXPECT_EQ(curl("o.test", "/"), "site b\n");
    EXPECT_EQ(curl("o.test", "/", with_certificate("alice")), "site b\n");
    EXPECT_EQ(s_client("-servername a.test").find("Acceptable client certificate CA names"),
              std::string::npos);
    EXPECT_NE(s_client("-servername m.test").find("Acceptable client certificate CA names"),
              std::string::npos);
    // The verified subject reaches the access log.
    ASSERT_TRUE(wait_until(
        patience,
        [&] { return read_file(file("access.log")).find("\"CN=alice\"") != std::string::npos; },
        "the client's subject in the access log"));
    EXPECT_NE(
        metrics().find("ringhttpd_tls_handshake_failures_total{reason=\"client_certificate\"} 2"),
        std::string::npos);
}

TEST_F(tls_sites, a_host_that_differs_from_the_sni_name_cannot_skip_client_checks) {
    EXPECT_EQ(curl("a.test", "/", "-H 'Host: m.test' -o /dev/null -w '%{http_code}'"), "421");
    EXPECT_EQ(curl("m.test", "/",
                   with_certificate("alice") + " -H 'Host: a.test' -o /dev/null -w '%{http_code}'"),
              "421");
    // Between sites that do not check, Host picks the site as before.
    EXPECT_EQ(curl("a.test", "/", "-H 'Host: default.test' -o /dev/null -w '%{http_code}'"), "200");
}

TEST_F(tls_sites, hsts_goes_out_over_tls_only_and_a_site_can_turn_it_off) {
    const std::string hsts = "strict-transport-security: max-age=63072000; includesubdomains";
    const std::string head = lowercase(curl("default.test", "/", "-sI"));
    EXPECT_NE(head.find(hsts), std::string::npos) << head;
    EXPECT_EQ(lowercase(curl("a.test", "/", "-sI")).find("strict-transport"), std::string::npos);
    client c(server_->port());
    auto res = c.roundtrip(get("/"));
    ASSERT_TRUE(res);
    EXPECT_FALSE(res->has_header("strict-transport-security"));
}

TEST_F(tls_sites, metrics_and_the_access_log_tell_protocols_resumption_and_failures) {
    EXPECT_EQ(python("resumption"), "ok\n");  // one full TLS 1.3 handshake, then 8 resumed
    EXPECT_EQ(python("versions"), "ok\n");    // 1.2 and 1.3, then 1.0 and 1.1 refused
    client plain(uint16_t(std::stoi(tls_port_)));
    ASSERT_TRUE(plain.roundtrip(get("/")));
    const std::string text = metrics();
    for (const std::string line :
         {"ringhttpd_tls_handshakes_total{protocol=\"TLSv1.3\",resumed=\"true\"} 8",
          "ringhttpd_tls_handshakes_total{protocol=\"TLSv1.2\",resumed=\"false\"} 1",
          "ringhttpd_tls_handshake_failures_total{reason=\"http_request\"} 1",
          "ringhttpd_tls_handshake_failures_total{reason=\"protocol_version\"} 2"})
        EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
    ASSERT_TRUE(wait_until(
        patience,
        [&] {
            return read_file(file("access.log")).find("\"tls_resumed\":true") != std::string::npos;
        },
        "a resumed request in the access log"));
    const std::string log = read_file(file("access.log"));
    EXPECT_NE(log.find("\"tls_protocol\":\"TLSv1.3\",\"tls_cipher\":\"TLS_"), std::string::npos)
        << log;
    EXPECT_NE(log.find("\"tls_server_name\":\"a.test\""), std::string::npos) << log;
}
