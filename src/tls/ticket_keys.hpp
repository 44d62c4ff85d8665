#pragma once
// Session ticket keys shared by every ring and every context, and rotated on a schedule.
//
// Time is cut into periods from the moment the set is made. The key of period n encrypts the
// tickets issued in it, and decrypts them in periods n and n+1: a ticket is accepted for at
// least one period and refused once it is two old. A ticket decrypted with the previous key is
// renewed (the client gets one under the current key). Contexts use the set through
// OpenSSL's ticket callback (attach()); a reload builds new contexts and attaches the same set,
// so sessions resume across it.
//
// Threading: every method may be called by any thread at once. Reads take a snapshot (an
// atomic shared_ptr load); a rotation, once a period, makes a new snapshot under a mutex.
// Lifetime: a context holds a shared_ptr to the set it was attached to.

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

namespace ringhttpd::tls {

struct ticket_key {
    std::array<unsigned char, 16> name;      // sent in the clear in the ticket: picks the key
    std::array<unsigned char, 32> aes_key;   // AES-256-CBC
    std::array<unsigned char, 32> hmac_key;  // HMAC-SHA256
};

// The keys of one period: the current one encrypts, both decrypt.
struct ticket_key_set {
    uint64_t period = 0;  // counted from the set's start
    ticket_key current;
    std::optional<ticket_key> previous;  // the key of the period just before, if made
};

class ticket_keys {
  public:
    using clock = std::chrono::steady_clock;

    // Throws std::runtime_error when the random generator fails. `start` is for tests.
    explicit ticket_keys(std::chrono::milliseconds period, clock::time_point start = clock::now());
    ticket_keys(const ticket_keys&) = delete;
    ticket_keys& operator=(const ticket_keys&) = delete;

    std::chrono::milliseconds period() const { return period_; }

    // The keys in force at `now`, rotated first when a period has ended since the last call.
    std::shared_ptr<const ticket_key_set> at(clock::time_point now);

    // What OpenSSL's ticket callback does, at `now`. Encrypting (`encrypt` 1): fills `name`
    // and `iv` and keys both contexts with the current key; returns 1, or -1 on failure.
    // Decrypting: keys both contexts with the key `name` names; returns 1 (current key),
    // 2 (previous key: renew the ticket) or 0 (unknown or too old: a full handshake).
    int crypt(unsigned char name[16], unsigned char iv[EVP_MAX_IV_LENGTH], EVP_CIPHER_CTX* cipher,
              EVP_MAC_CTX* mac, int encrypt, clock::time_point now);

    // Makes `ctx` issue and accept tickets with these keys (the set must outlive it; contexts
    // hold a shared_ptr), and sets its session lifetime to one period.
    void attach(SSL_CTX* ctx);

  private:
    static int on_ticket(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                         EVP_MAC_CTX* mac, int encrypt);

    const std::chrono::milliseconds period_;
    const clock::time_point start_;
    std::atomic<std::shared_ptr<const ticket_key_set>> keys_;
    std::mutex rotating_;  // one thread makes the next set; readers never wait for it
};

}  // namespace ringhttpd::tls
