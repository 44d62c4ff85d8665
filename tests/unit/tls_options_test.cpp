// The settings of session ticket rotation and OCSP stapling: flags, file keys, the dumped
// configuration, and what the server is given (app::tls_certificates).

#include <gtest/gtest.h>

#include "app/cli.hpp"
#include "app/config_file.hpp"
#include "app/config_sites.hpp"
#include "app/tls_settings.hpp"

using namespace ringhttpd;
using namespace ringhttpd::app;

namespace {

cli_options from(std::string_view text) {
    cli_options o;
    apply_config_text(text, "site.toml", o);
    return o;
}

std::string error_of(std::string_view text) {
    try {
        tls_certificates(from(text));
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(tls_options, ticket_rotation_is_a_duration_of_a_second_to_a_week_default_12h) {
    EXPECT_EQ(config{}.tls_session_ticket_rotate_ms, 12u * 3600 * 1000);
    EXPECT_EQ(parse_cli({"--tls-session-ticket-rotate", "90m"}).cfg.tls_session_ticket_rotate_ms,
              90u * 60 * 1000);
    EXPECT_EQ(from("tls_session_ticket_rotate = \"1s\"\n").cfg.tls_session_ticket_rotate_ms, 1000u);
    EXPECT_THROW(parse_cli({"--tls-session-ticket-rotate", "999ms"}), std::exception);
    EXPECT_THROW(parse_cli({"--tls-session-ticket-rotate", "169h"}), std::exception);
}

TEST(tls_options, ocsp_responses_go_with_the_certificates_in_their_order) {
    const cli_options o = from(R"(
tls_certificate = ["/tls/default-ec.pem", "/tls/default-rsa.pem"]
tls_certificate_key = ["/tls/default-ec.key", "/tls/default-rsa.key"]
tls_ocsp_response = "/tls/default-ec.ocsp"

[[site]]
server_name = "a.test"
tls_certificate = "/tls/a.pem"
tls_certificate_key = "/tls/a.key"
tls_ocsp_response = "/tls/a.ocsp"

[[site]]
server_name = "b.test"
tls_certificate = "/tls/b.pem"
tls_certificate_key = "/tls/b.key"
)");
    const std::vector<tls_certificate> certificates = tls_certificates(o);
    ASSERT_EQ(certificates.size(), 3u);
    ASSERT_EQ(certificates[0].key_pairs.size(), 2u);
    EXPECT_EQ(certificates[0].key_pairs[0].ocsp_response_file, "/tls/default-ec.ocsp");
    EXPECT_EQ(certificates[0].key_pairs[1].ocsp_response_file, "");  // fewer: none for RSA
    EXPECT_EQ(certificates[1].key_pairs[0].ocsp_response_file, "/tls/a.ocsp");
    // b.test has certificates of its own: the top level's response is not for them.
    EXPECT_EQ(certificates[2].key_pairs[0].ocsp_response_file, "");
    EXPECT_EQ(parse_cli({"--tls-ocsp-response", "/x.ocsp"}).tls.ocsp_responses,
              std::vector<std::string>{"/x.ocsp"});
    // -T writes the site's response back.
    EXPECT_NE(sites_toml(o).find("tls_ocsp_response = [\"/tls/a.ocsp\"]"), std::string::npos)
        << sites_toml(o);
}

TEST(tls_options, more_responses_than_certificates_are_refused) {
    EXPECT_NE(error_of("tls_ocsp_response = \"/tls/default.ocsp\"\n")
                  .find("tls_ocsp_response has more files than tls_certificate"),
              std::string::npos);
    EXPECT_NE(error_of("[[site]]\nserver_name = \"a.test\"\ntls_certificate = \"/a.pem\"\n"
                       "tls_certificate_key = \"/a.key\"\ntls_ocsp_response = [\"/1\", \"/2\"]\n")
                  .find("tls_ocsp_response of [[site]] a.test has more files"),
              std::string::npos);
}
