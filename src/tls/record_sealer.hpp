#pragma once
// The sending side of one connection sealed here, in user space, with the keys OpenSSL 3.0
// offers the kernel (BIO_CTRL_SET_KTLS) where the kernel cannot take them (no tls module, as on
// most hosts; ktls_send.hpp is the kernel's side). Accepted, OpenSSL encrypts nothing more, as
// with kTLS: its own messages come through the BIO in the clear, and responses are sealed
// straight from where they lie (the inner queue, a chunk of file) into the connection's queue.
// SSL_write would copy the cleartext into OpenSSL's record buffer, encrypt it there, and the
// BIO would copy the records again: two copies of every byte sent that this saves (h2o's
// picotls seals the same way, into its output buffer).
//
// AES-GCM only, TLS 1.2 and 1.3 (what clients negotiate nearly always); for any other cipher the
// keys are refused and OpenSSL goes on encrypting with SSL_write. A TLS 1.3 KeyUpdate of ours
// (the answer to a client's that asks for one, RFC 8446 §4.6.3) is followed here: OpenSSL 3.0
// changes its own keys without telling the BIO, so the sealer keeps the server's application
// traffic secret (from OpenSSL's keylog callback) and derives the next keys from it itself.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include <openssl/types.h>

namespace ringhttpd::tls {

// The TLS record types this layer writes itself (RFC 8446 §5.1).
inline constexpr uint8_t handshake_record = 22;
inline constexpr uint8_t application_data = 23;

class record_sealer {
  public:
    record_sealer() = default;
    ~record_sealer() { reset(); }
    record_sealer(const record_sealer&) = delete;
    record_sealer& operator=(const record_sealer&) = delete;

    // BIO_CTRL_SET_KTLS for sending: `crypto_info` is a tls12_crypto_info_* (linux/tls.h).
    // False (OpenSSL keeps encrypting) for other ciphers or versions, or when keys were taken
    // before.
    bool accept_keys(const void* crypto_info);
    bool accepted() const { return keys_id_ != 0; }

    // Appends `data` to `out` as records of `type` (23: application data), each at most
    // 16 KB of it. False when the cipher failed (the connection cannot go on).
    bool seal(std::string& out, uint8_t type, const char* data, size_t length);

    // SERVER_TRAFFIC_SECRET_0 of TLS 1.3 (32 or 48 bytes: SHA-256 or SHA-384 suites), for
    // next_keys().
    void remember_traffic_secret(const unsigned char* secret, size_t size);
    // After sealing our KeyUpdate: the next traffic secret, its key and IV, sequence 0
    // (RFC 8446 §7.2). False when there is no secret to derive them from.
    bool next_keys();

    // Forgets the keys (wiped), for the connection's next use.
    void reset();

  private:
    // This thread's cipher context with these keys (record_sealer.cpp); null when out of memory.
    EVP_CIPHER_CTX* context();
    // One record of `length` <= 16 KB bytes at `into`, which has room for it; returns its size
    // (0 when the cipher failed).
    size_t seal_record(EVP_CIPHER_CTX* context, char* into, uint8_t type, const char* data,
                       size_t length);

    uint64_t keys_id_ = 0;  // nonzero once accepted: names these keys in the cipher cache
    bool tls13_ = false;
    uint8_t key_size_ = 0;                    // 16 or 32
    std::array<unsigned char, 32> key_{};     // AES-128 uses the first half
    std::array<unsigned char, 12> iv_{};      // TLS 1.3: the static IV; 1.2: salt, then nonce
    uint64_t sequence_ = 0;                   // of the next record
    std::array<unsigned char, 48> secret_{};  // TLS 1.3's current traffic secret
    uint8_t secret_size_ = 0;
};

}  // namespace ringhttpd::tls
