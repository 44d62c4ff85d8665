// OCSP stapling from configured response files (tls_ocsp_response), checked by
// openssl s_client -status against responses `openssl ocsp` makes at test time.

#include <gtest/gtest.h>

#include "harness.hpp"
#include "tls_files.hpp"

using namespace e2e;

namespace {

class tls_ocsp : public ::testing::Test {
  protected:
    void SetUp() override {
        make_test_ca(dir_);
        for (const char* name : {"default", "a", "b"}) {
            make_test_certificate(dir_, name, std::string(name) + ".test");
            make_test_ocsp_response(dir_, name);
        }
        // The default certificate and a.test's have responses; b.test's does not.
        dir_.write(
            "ringhttpd.toml",
            "tls_certificate = \"" + file("default-chain.pem") + "\"\ntls_certificate_key = \"" +
                file("default.key") + "\"\ntls_ocsp_response = \"" + file("default.ocsp") + "\"\n" +
                site("a", "tls_ocsp_response = \"" + file("a.ocsp") + "\"\n") + site("b", ""));
        port_ = std::to_string(free_port());
        server_ = std::make_unique<server_process>(std::vector<std::string>{
            "-c", file("ringhttpd.toml"), "--listen", "127.0.0.1:0,127.0.0.1:" + port_ + " tls"});
    }

    std::string file(const std::string& name) const { return dir_.path() + "/" + name; }

    std::string site(const std::string& name, const std::string& extra) const {
        return "\n[[site]]\nserver_name = \"" + name + ".test\"\nroot = \"" + dir_.path() +
               "\"\ntls_certificate = \"" + file(name + "-chain.pem") +
               "\"\ntls_certificate_key = \"" + file(name + ".key") + "\"\n" + extra;
    }

    std::string s_client(const std::string& options) const {
        return capture("openssl s_client -connect 127.0.0.1:" + port_ + " -status " + options +
                       " </dev/null 2>&1");
    }

    temp_dir dir_;
    std::string port_;
    std::unique_ptr<server_process> server_;
};

constexpr const char* successful = "OCSP Response Status: successful";

}  // namespace

TEST_F(tls_ocsp, each_certificate_staples_its_own_response_to_clients_that_ask) {
    for (const std::string version : {"-tls1_2", "-tls1_3"}) {
        const std::string a = s_client(version + " -servername a.test");
        EXPECT_NE(a.find(successful), std::string::npos) << a;
        EXPECT_NE(a.find("Cert Status: good"), std::string::npos) << a;
        EXPECT_NE(a.find("subject=CN = a.test"), std::string::npos) << a;
        // The response is for a.test's certificate: its serial number is in it.
        const std::string serial =
            capture("openssl x509 -noout -serial -in " + file("a.pem") + " | cut -d= -f2");
        EXPECT_NE(a.find("Serial Number: " + serial.substr(0, serial.size() - 1)),
                  std::string::npos)
            << a;
        const std::string fallback = s_client(version + " -noservername");
        EXPECT_NE(fallback.find(successful), std::string::npos) << fallback;
        EXPECT_NE(fallback.find("subject=CN = default.test"), std::string::npos) << fallback;
        const std::string b = s_client(version + " -servername b.test");
        EXPECT_NE(b.find("OCSP response: no response sent"), std::string::npos) << b;
    }
}

TEST_F(tls_ocsp, a_reload_reads_the_file_again_and_refuses_a_broken_one) {
    // The responder revoked a.test's certificate: such a response is refused, named, and the
    // running one stays.
    make_test_ocsp_response(dir_, "a", "R");
    server_->signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        patience, [&] { return server_->log().find("reload 1: refused") != std::string::npos; },
        "the refused reload"));
    EXPECT_NE(server_->log().find(file("a.ocsp") + ": says the certificate is revoked"),
              std::string::npos)
        << server_->log();
    EXPECT_NE(s_client("-servername a.test").find(successful), std::string::npos);
    // A fresh good one is read by the next reload and stapled.
    make_test_ocsp_response(dir_, "a");
    const std::string fresh = capture("openssl ocsp -respin " + file("a.ocsp") +
                                      " -resp_text -noverify 2>&1 | grep 'Produced At'");
    server_->signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        patience, [&] { return server_->log().find("reload 2: applied") != std::string::npos; },
        "the reload"));
    EXPECT_NE(s_client("-servername a.test").find(fresh), std::string::npos) << fresh;
}

TEST(tls_ocsp_two_keys, ecdsa_and_rsa_certificates_side_by_side_each_staple_their_own) {
    temp_dir dir;
    make_test_ca(dir);
    make_test_certificate(dir, "ec", "a.test");
    make_test_certificate(dir, "rsa", "a.test", "rsa");
    make_test_ocsp_response(dir, "ec");
    make_test_ocsp_response(dir, "rsa");
    const std::string port = std::to_string(free_port());
    const std::string d = dir.path() + "/";
    server_process server({"--listen", "127.0.0.1:0,127.0.0.1:" + port + " tls",
                           "--tls-certificate", d + "ec-chain.pem," + d + "rsa-chain.pem",
                           "--tls-certificate-key", d + "ec.key," + d + "rsa.key",
                           "--tls-ocsp-response", d + "ec.ocsp," + d + "rsa.ocsp"});
    auto serial = [&](const std::string& name) {
        const std::string out =
            capture("openssl x509 -noout -serial -in " + d + name + ".pem | cut -d= -f2");
        return "Serial Number: " + out.substr(0, out.size() - 1);
    };
    auto handshake = [&](const std::string& options) {
        return capture("openssl s_client -connect 127.0.0.1:" + port + " -status -tls1_2 " +
                       options + " </dev/null 2>&1");
    };
    const std::string ec = handshake("-cipher ECDHE-ECDSA-AES128-GCM-SHA256");
    EXPECT_NE(ec.find(successful), std::string::npos) << ec;
    EXPECT_NE(ec.find(serial("ec")), std::string::npos) << ec;
    const std::string rsa = handshake("-cipher ECDHE-RSA-AES128-GCM-SHA256");
    EXPECT_NE(rsa.find(successful), std::string::npos) << rsa;
    EXPECT_NE(rsa.find(serial("rsa")), std::string::npos) << rsa;
    EXPECT_EQ(rsa.find(serial("ec")), std::string::npos) << rsa;
}

TEST(tls_ocsp_config, a_bad_response_file_fails_the_test_naming_the_file) {
    temp_dir dir;
    make_test_ca(dir);
    make_test_certificate(dir, "a", "a.test");
    make_test_certificate(dir, "b", "b.test");
    make_test_ocsp_response(dir, "b");
    dir.write("garbage.ocsp", "not an OCSP response\n");
    auto check = [&](const std::string& response) {
        return run_binary({"-t", "--root", RINGHTTPD_STATIC_DIR, "--listen", "127.0.0.1:0 tls",
                           "--tls-certificate", dir.path() + "/a-chain.pem",
                           "--tls-certificate-key", dir.path() + "/a.key", "--tls-ocsp-response",
                           dir.path() + "/" + response});
    };
    auto [status, output] = check("garbage.ocsp");
    EXPECT_EQ(status, 1) << output;
    EXPECT_NE(output.find(dir.path() + "/garbage.ocsp: not a DER OCSP response"), std::string::npos)
        << output;
    std::tie(status, output) = check("b.ocsp");  // a good response, for another certificate
    EXPECT_EQ(status, 1) << output;
    EXPECT_NE(output.find(dir.path() + "/b.ocsp: not a response for the certificate"),
              std::string::npos)
        << output;
    std::tie(status, output) = check("none.ocsp");
    EXPECT_EQ(status, 1) << output;
    EXPECT_NE(output.find(dir.path() + "/none.ocsp: No such file or directory"), std::string::npos)
        << output;
}
