#include "tls/ktls_send.hpp"

#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <sys/socket.h>

#include <cstring>

#include "tls/ktls_probe.hpp"

namespace ringhttpd::tls {
namespace {

// The socket's unsent limit once the kernel seals (io/listener.cpp sets 16 KiB for every
// connection): a sealed record is 16,406 bytes, so under the general limit each sendfile took
// one record and waited for POLLOUT; four records a call cut those rounds by four.
constexpr int kernel_tls_unsent_limit = 4 * (16 * 1024 + 22);

}  // namespace

bool ktls_send::accept_keys(int fd, const void* crypto_info) {
    if (state_ != state::off || fd < 0 || !crypto_info) return false;
    const auto* header = static_cast<const tls_crypto_info*>(crypto_info);
    const size_t size = crypto_info_size(header->cipher_type);
    if (size == 0 || size > keys_.size() || !kernel_tls_sends_with(header->cipher_type) ||
        setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof "tls") != 0)
        return false;
    std::memcpy(keys_.data(), crypto_info, size);
    keys_size_ = size;
    state_ = state::waiting;
    return true;
}

void ktls_send::write(io::output_queue& out, uint8_t type, const char* data, size_t length) {
    io::output_queue& into = started() ? out : waiting_;
    if (type != 0) {
        into.push_record(type, std::string(data, length));
    } else {
        into.buffer().append(data, length);
    }
}

bool ktls_send::start_when_drained(int fd, io::output_queue& out) {
    if (state_ != state::waiting || !out.empty()) return true;
    const bool set = setsockopt(fd, SOL_TLS, TLS_TX, keys_.data(), socklen_t(keys_size_)) == 0;
    OPENSSL_cleanse(keys_.data(), keys_.size());
    keys_size_ = 0;
    if (!set) return false;
    setsockopt(fd, SOL_TCP, TCP_NOTSENT_LOWAT, &kernel_tls_unsent_limit,
               sizeof kernel_tls_unsent_limit);
    state_ = state::started;
    out.take_all(waiting_);
    return true;
}

void ktls_send::reset() {
    OPENSSL_cleanse(keys_.data(), keys_.size());
    keys_size_ = 0;
    state_ = state::off;
    waiting_.clear();
}

}  // namespace ringhttpd::tls
