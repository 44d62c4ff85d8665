#pragma once
// What this kernel can do for the sending side of TLS connections (kTLS), asked once at
// startup on connected loopback TCP sockets: whether it takes the "tls" upper-layer protocol,
// and with which ciphers it accepts keys (each cipher's kernel module may be missing, and the
// kernel refuses the keys then). Without the tls module, or with a filter that refuses the
// options, every connection stays in user space.

#include <cstddef>
#include <cstdint>

#include "ringhttpd/tls_config.hpp"

namespace ringhttpd::tls {

// Whether connections hand their sending side to the kernel under `mode` (config::tls_ktls):
// `automatic` where at least one cipher's keys are taken. Throws std::runtime_error with the
// fix when `mode` is `on` and the kernel takes none.
bool kernel_tls_send_chosen(kernel_tls_mode mode);
// Keys for `cipher_type` (TLS_CIPHER_*, linux/tls.h) are taken.
bool kernel_tls_sends_with(uint16_t cipher_type);
// The size of the kernel's tls12_crypto_info_* for `cipher_type`; 0 for one not used here.
size_t crypto_info_size(uint16_t cipher_type);

}  // namespace ringhttpd::tls
