#include "tls/ssl_state.hpp"

namespace ringhttpd::tls {

ssl_state::ssl_state(std::shared_ptr<const contexts> c) : tls(std::move(c)) {
    ssl = tls->new_connection();
    BIO* bio = make_ring_bio(&ends);
    if (!ssl || !bio) {
        BIO_free(bio);
        SSL_free(ssl);
        ssl = nullptr;
        return;
    }
    SSL_set_bio(ssl, bio, bio);  // one reference, for both directions
    ends.kernel_may_seal = tls->kernel_tls_send();
    SSL_set_accept_state(ssl);
}

ssl_state::~ssl_state() {
    SSL_free(ssl);  // and its BIO
}

}  // namespace ringhttpd::tls
