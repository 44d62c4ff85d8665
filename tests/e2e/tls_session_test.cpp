// Session tickets with real clients (openssl s_client): their keys outlive a reload, and a
// ticket two rotations old gets a full handshake (tls_session_ticket_rotate).

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "harness.hpp"
#include "tls_files.hpp"

using namespace e2e;

namespace {

class tls_sessions : public ::testing::Test {
  protected:
    void start(const std::vector<std::string>& extra = {}) {
        make_test_ca(dir_);
        make_test_certificate(dir_, "a", "a.test");
        dir_.write("ringhttpd.toml", "tls_certificate = \"" + file("a.pem") +
                                         "\"\ntls_certificate_key = \"" + file("a.key") + "\"\n");
        port_ = std::to_string(free_port());
        std::vector<std::string> args{"-c", file("ringhttpd.toml"), "--listen",
                                      "127.0.0.1:0,127.0.0.1:" + port_ + " tls"};
        args.insert(args.end(), extra.begin(), extra.end());
        server_ = std::make_unique<server_process>(args);
    }

    std::string file(const std::string& name) const { return dir_.path() + "/" + name; }

    // s_client's report of a handshake with `version` ("-tls1_2", "-tls1_3") and `options`.
    // It sends a request that closes the connection, so it reads until the server is done:
    // TLS 1.3 tickets come after the handshake.
    std::string handshake(const std::string& version, const std::string& options) const {
        return capture(
            "printf 'GET / HTTP/1.1\\r\\nHost: a.test\\r\\nConnection: close\\r\\n\\r\\n' "
            "| openssl s_client -connect 127.0.0.1:" +
            port_ + " -servername a.test -ign_eof " + version + " " + options + " 2>&1");
    }

    // Makes a session, saved in `name`; false (and a failure) if the handshake is not new.
    bool new_session(const std::string& version, const std::string& name) const {
        const std::string out = handshake(version, "-sess_out " + file(name));
        EXPECT_NE(out.find("New, TLSv1."), std::string::npos) << out;
        EXPECT_NE(out.find("HTTP/1.1 200 OK"), std::string::npos) << out;
        return out.find("New, TLSv1.") != std::string::npos;
    }

    bool resumes(const std::string& version, const std::string& name) const {
        const std::string out = handshake(version, "-sess_in " + file(name));
        EXPECT_NE(out.find("HTTP/1.1 200 OK"), std::string::npos) << out;
        return out.find("Reused, TLSv1.") != std::string::npos;
    }

    temp_dir dir_;
    std::string port_;
    std::unique_ptr<server_process> server_;
};

}  // namespace

TEST_F(tls_sessions, tickets_of_tls_1_2_and_1_3_resume_across_a_reload) {
    start();
    ASSERT_TRUE(new_session("-tls1_2", "s12.pem"));
    ASSERT_TRUE(new_session("-tls1_3", "s13.pem"));
    EXPECT_TRUE(resumes("-tls1_2", "s12.pem"));
    // The reload makes new contexts (with an empty session-ID cache): only the ticket keys,
    // kept, can resume these sessions.
    server_->signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        patience, [&] { return server_->log().find("reload 1: applied") != std::string::npos; },
        "the reload"));
    EXPECT_TRUE(resumes("-tls1_2", "s12.pem"));
    ASSERT_TRUE(new_session("-tls1_3", "s13-after.pem"));  // TLS 1.3 tickets are for one use
    EXPECT_TRUE(resumes("-tls1_3", "s13.pem"));
    EXPECT_TRUE(resumes("-tls1_3", "s13-after.pem"));
}

TEST_F(tls_sessions, a_ticket_from_two_rotations_ago_gets_a_full_handshake) {
    start({"--tls-session-ticket-rotate", "1s"});
    const auto issued = std::chrono::steady_clock::now();
    ASSERT_TRUE(new_session("-tls1_2", "s12.pem"));
    ASSERT_TRUE(new_session("-tls1_3", "s13.pem"));
    EXPECT_TRUE(resumes("-tls1_2", "s12.pem"));  // within its period
    // Two periods on, both keys that could have sealed it are gone. This waits a fixed time
    // on purpose: the time is what is tested.
    std::this_thread::sleep_until(issued + std::chrono::milliseconds(2300));
    EXPECT_FALSE(resumes("-tls1_2", "s12.pem"));
    EXPECT_FALSE(resumes("-tls1_3", "s13.pem"));
}

TEST_F(tls_sessions, a_reload_that_changes_client_certificate_checks_resumes_no_session) {
    start();
    ASSERT_TRUE(new_session("-tls1_2", "s12.pem"));
    ASSERT_TRUE(new_session("-tls1_3", "s13.pem"));
    // Sessions made without client checks must not resume where they now apply (nor would a
    // client verified against other CAs): the same ticket keys, a new session ID context.
    dir_.write("ringhttpd.toml", read_file(file("ringhttpd.toml")) + "tls_client_certificate = \"" +
                                     file("ca.pem") + "\"\ntls_verify_client = \"optional\"\n");
    server_->signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        patience, [&] { return server_->log().find("reload 1: applied") != std::string::npos; },
        "the reload"));
    EXPECT_FALSE(resumes("-tls1_2", "s12.pem"));
    EXPECT_FALSE(resumes("-tls1_3", "s13.pem"));
}

TEST(tls_sessions_config, the_rotation_period_is_a_second_at_least) {
    auto [status, output] =
        run_binary({"-t", "--root", RINGHTTPD_STATIC_DIR, "--tls-session-ticket-rotate", "500ms"});
    EXPECT_EQ(status, 2) << output;
    EXPECT_NE(output.find("tls-session-ticket-rotate"), std::string::npos) << output;
}

TEST_F(tls_sessions, a_resumed_tls_1_3_connection_gets_a_ticket_of_its_own) {
    // A client uses each TLS 1.3 ticket once (RFC 8446 C.4): without a new one after each
    // resumption, every other handshake of such a client (wrk, browsers) would be a full one.
    start();
    ASSERT_TRUE(new_session("-tls1_3", "first"));
    const std::string out = handshake("-tls1_3", "-msg -sess_in " + file("first"));
    EXPECT_NE(out.find("Reused, TLSv1.3"), std::string::npos) << out;
    EXPECT_NE(out.find("NewSessionTicket"), std::string::npos) << out;
}
