#pragma once
// The sending side of one connection handed to the kernel (kTLS), as OpenSSL 3.0 asks for it
// through its BIO (ring_bio.cpp): once its write keys change to the application traffic keys
// (after the server's Finished in TLS 1.3, with the ChangeCipherSpec in TLS 1.2), OpenSSL
// flushes the BIO and offers the kernel's key material (BIO_CTRL_SET_KTLS). Accepted, OpenSSL
// encrypts nothing more: it writes its own messages in the clear, each announced by
// BIO_CTRL_SET_KTLS_TX_SEND_CTRL_MSG with its record type, and the connection's responses go
// to the socket as they are, files with sendfile.
//
// The keys reach the socket (TLS_TX) only when the connection's queue has sent every record
// OpenSSL encrypted before the switch: the ring sends that queue asynchronously, so setting
// them at once would let the kernel encrypt ciphertext still queued. What OpenSSL writes in
// the meantime (TLS 1.3 session tickets, TLS 1.2's Finished) waits here.

#include <linux/tls.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "io/output_queue.hpp"

namespace ringhttpd::tls {

class ktls_send {
  public:
    ktls_send() = default;
    ~ktls_send() { reset(); }
    ktls_send(const ktls_send&) = delete;
    ktls_send& operator=(const ktls_send&) = delete;

    // BIO_CTRL_SET_KTLS for sending: `crypto_info` is a tls12_crypto_info_* whose size follows
    // from its cipher_type. Sets TCP_ULP "tls" on `fd`; false (user space seals) when kTLS is
    // not asked for, the kernel refuses it, took no keys for that cipher at startup
    // (ktls_probe.hpp), or keys were taken before (a TLS 1.3 KeyUpdate: the kernel cannot change
    // them).
    bool accept_keys(int fd, const void* crypto_info);
    // OpenSSL writes in the clear from now on (BIO_CTRL_GET_KTLS_SEND).
    bool accepted() const { return state_ != state::off; }
    // The keys are on the socket: the connection's output goes out as it is.
    bool started() const { return state_ == state::started; }

    // A write from OpenSSL once accepted, one record of `type` (0: application data, the
    // connection's own bytes): into `out` once started, held until then.
    void write(io::output_queue& out, uint8_t type, const char* data, size_t length);

    // Once `out` (the connection's queue) has sent everything: the keys go to the socket and
    // what waited follows into `out`. False when the kernel refused the keys: the connection
    // cannot go on (OpenSSL encrypts no more).
    bool start_when_drained(int fd, io::output_queue& out);
    // Forgets the keys (wiped) and what waited, for the connection's next use.
    void reset();

  private:
    enum class state : uint8_t { off, waiting, started };
    state state_ = state::off;
    // A tls12_crypto_info_* of keys_size_ bytes; AES-256-GCM's is the largest of those used.
    alignas(8) std::array<unsigned char, sizeof(tls12_crypto_info_aes_gcm_256)> keys_{};
    size_t keys_size_ = 0;
    io::output_queue waiting_;  // written after the keys came, before they reached the socket
};

}  // namespace ringhttpd::tls
