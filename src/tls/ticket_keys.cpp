#include "tls/ticket_keys.hpp"

#include <openssl/core_names.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace ringhttpd::tls {
namespace {

// Where a context keeps its ticket_keys*, for the callback, which gets no argument of its own.
int ex_data_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

bool make_key(ticket_key& key) {
    return RAND_bytes(key.name.data(), int(key.name.size())) == 1 &&
           RAND_priv_bytes(key.aes_key.data(), int(key.aes_key.size())) == 1 &&
           RAND_priv_bytes(key.hmac_key.data(), int(key.hmac_key.size())) == 1;
}

// Keys OpenSSL's cipher and MAC contexts with `key`, as the ticket format of OpenSSL 3.0
// expects: AES-256-CBC and HMAC-SHA256.
bool use_key(const ticket_key& key, const unsigned char* iv, EVP_CIPHER_CTX* cipher,
             EVP_MAC_CTX* mac, int encrypt) {
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
                                          const_cast<unsigned char*>(key.hmac_key.data()),
                                          key.hmac_key.size()),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    return EVP_MAC_CTX_set_params(mac, params) == 1 &&
           EVP_CipherInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes_key.data(), iv, encrypt) ==
               1;
}

}  // namespace

ticket_keys::ticket_keys(std::chrono::milliseconds period, clock::time_point start)
    : period_(std::max(period, std::chrono::milliseconds(1))), start_(start) {
    auto first = std::make_shared<ticket_key_set>();
    if (!make_key(first->current))
        throw std::runtime_error("session ticket keys: the random generator failed");
    keys_.store(std::move(first));
}

// Rotation happens lazily, here, when a ticket is issued or opened, rather than on a timer
// thread: no thread to start, stop and order at shutdown, nothing done while no client comes,
// and a key two periods old is refused exactly when it is tried, never late because a timer
// ran late. It costs a clock read per ticket, next to a handshake's public-key work.
std::shared_ptr<const ticket_key_set> ticket_keys::at(clock::time_point now) {
    const uint64_t period = now <= start_ ? 0 : uint64_t((now - start_) / period_);
    std::shared_ptr<const ticket_key_set> keys = keys_.load(std::memory_order_acquire);
    if (period <= keys->period) return keys;
    std::lock_guard lock(rotating_);
    keys = keys_.load(std::memory_order_acquire);  // another thread may have rotated meanwhile
    if (period <= keys->period) return keys;
    auto next = std::make_shared<ticket_key_set>();
    next->period = period;
    // A failed generator leaves no keys in force rather than keys past their time: this
    // ticket is refused (a full handshake), and the next call tries again.
    if (!make_key(next->current)) return nullptr;
    // After a quiet spell of two periods or more, the last key is too old to keep.
    if (period == keys->period + 1) next->previous = keys->current;
    keys_.store(next, std::memory_order_release);
    return next;
}

int ticket_keys::crypt(unsigned char name[16], unsigned char iv[EVP_MAX_IV_LENGTH],
                       EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int encrypt,
                       clock::time_point now) {
    const std::shared_ptr<const ticket_key_set> keys = at(now);
    if (encrypt) {
        if (!keys) return -1;  // no ticket is issued; the handshake goes on
        const ticket_key& key = keys->current;
        if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) return -1;
        std::memcpy(name, key.name.data(), key.name.size());
        return use_key(key, iv, cipher, mac, 1) ? 1 : -1;
    }
    if (!keys) return 0;
    auto named = [name](const ticket_key& key) {
        return std::memcmp(name, key.name.data(), key.name.size()) == 0;
    };
    if (named(keys->current)) return use_key(keys->current, iv, cipher, mac, 0) ? 1 : -1;
    if (keys->previous && named(*keys->previous))
        return use_key(*keys->previous, iv, cipher, mac, 0) ? 2 : -1;
    return 0;
}

int ticket_keys::on_ticket(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                           EVP_MAC_CTX* mac, int encrypt) {
    auto* keys =
        static_cast<ticket_keys*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ex_data_index()));
    if (keys == nullptr) return encrypt ? -1 : 0;
    const int result = keys->crypt(name, iv, cipher, mac, encrypt, clock::now());
    // TLS 1.3: a resumed connection gets a new ticket too (2: "renew"), else OpenSSL sends none
    // after a resumption, and a client that uses each ticket once (RFC 8446 C.4; wrk, browsers)
    // made every other handshake a full one. TLS 1.2 clients keep their ticket until its key
    // is the previous one.
    if (!encrypt && result == 1 && SSL_version(ssl) == TLS1_3_VERSION) return 2;
    return result;
}

void ticket_keys::attach(SSL_CTX* ctx) {
    SSL_CTX_set_ex_data(ctx, ex_data_index(), this);
    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, on_ticket);
    // A ticket is promised one period (its lifetime hint, and the session's timeout, TLS 1.2
    // session IDs included); its key lives two, so every ticket a client still holds opens.
    // OpenSSL counts whole seconds; TLS 1.3 caps the hint at 7 days (the option's maximum).
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(period_).count();
    SSL_CTX_set_timeout(ctx, long(std::max<int64_t>(seconds, 1)));
    // TLS 1.3: OpenSSL's default of two tickets after a full handshake, said here: a client
    // should use a ticket once (RFC 8446 C.4), and browsers open a second connection at once.
    SSL_CTX_set_num_tickets(ctx, 2);
}

}  // namespace ringhttpd::tls
