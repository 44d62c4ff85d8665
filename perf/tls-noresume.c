/* LD_PRELOAD shim that makes wrk do a full TLS handshake on every connection.
 *
 * wrk reconnects a TLS connection with SSL_shutdown + SSL_clear on the same SSL object, and
 * SSL_clear keeps the session: every reconnect after the first offers it, so `wrk -H
 * 'Connection: close' https://...` measures resumed handshakes (checked against nginx's
 * $ssl_session_reused: all but one per connection resumed). This wrapper forgets the session
 * after each SSL_clear, so the next SSL_connect offers none and the server does a full one.
 * perf/bench.py builds it into its work folder and checks both behaviours before it measures.
 *
 *   cc -O2 -shared -fPIC -o noresume.so perf/tls-noresume.c -ldl -lssl
 *   LD_PRELOAD=./noresume.so wrk -H 'Connection: close' https://127.0.0.1:8443/
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <openssl/ssl.h>

int SSL_clear(SSL *ssl) {
    static int (*real_clear)(SSL *);
    if (!real_clear) {
        real_clear = (int (*)(SSL *))dlsym(RTLD_NEXT, "SSL_clear");
    }
    int ok = real_clear(ssl);
    SSL_set_session(ssl, NULL); /* no session to offer: the next handshake is a full one */
    return ok;
}
