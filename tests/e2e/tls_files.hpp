#pragma once
// Certificates and OCSP responses made at test time with the openssl CLI, for the TLS tests
// tests (tls_test.cpp, tls_session_test.cpp, tls_ocsp_test.cpp).

#include <string>

#include "harness.hpp"

namespace e2e {

// A throwaway CA in `dir`: ca.pem, ca.key.
inline void make_test_ca(const temp_dir& dir) {
    capture("cd " + dir.path() +
            " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "
            "ca.key -out ca.pem -days 2 -subj /CN=ringhttpd-test-ca 2>&1");
}

// NAME.key and NAME.pem in `dir`: an EC P-256 (or, `key` "rsa", RSA 2048) certificate for
// `host` (its CN, and its only name unless `san` lists others: "DNS:a.test,DNS:b.test"), signed
// by the CA, and NAME-chain.pem: the certificate, then the CA's.
inline void make_test_certificate(const temp_dir& dir, const std::string& name,
                                  const std::string& host, const std::string& key = "ec",
                                  const std::string& san = "") {
    const std::string keyspec = key == "rsa" ? "rsa:2048" : "ec -pkeyopt ec_paramgen_curve:P-256";
    capture("cd " + dir.path() + " && openssl req -newkey " + keyspec + " -nodes -keyout " + name +
            ".key -out " + name + ".csr -subj /CN=" + host +
            " 2>&1 && printf 'subjectAltName=" + (san.empty() ? "DNS:" + host : san) + "\\n' > " +
            name + ".ext && openssl x509 -req -in " + name +
            ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out " + name +
            ".pem -extfile " + name + ".ext 2>&1 && cat " + name + ".pem ca.pem > " + name +
            "-chain.pem");
}

// NAME.ocsp in `dir`: the CA's OCSP response for NAME.pem, `status` "V" (good) or "R"
// (revoked), made as a responder would with `openssl ocsp -index`. Returns openssl's output.
inline std::string make_test_ocsp_response(const temp_dir& dir, const std::string& name,
                                           const std::string& status = "V") {
    const std::string revoked = status == "R" ? "260101000000Z" : "";
    return capture("cd " + dir.path() + " && serial=$(openssl x509 -noout -serial -in " + name +
                   ".pem | cut -d= -f2) && printf '" + status + "\\t301231000000Z\\t" + revoked +
                   "\\t%s\\tunknown\\t/CN=" + name + "\\n' \"$serial\" > " + name +
                   ".index && openssl ocsp -issuer ca.pem -cert " + name +
                   ".pem -no_nonce -reqout " + name + ".req 2>&1 && openssl ocsp -index " + name +
                   ".index -rsigner ca.pem -rkey ca.key " + "-CA ca.pem -reqin " + name +
                   ".req -respout " + name + ".ocsp -ndays 1 2>&1");
}

}  // namespace e2e
