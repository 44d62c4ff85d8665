#include "tls/ring_bio.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

#include <openssl/crypto.h>

namespace ringhttpd::tls {
namespace {

constexpr uint8_t key_update_message = 24;

int write_ex(BIO* bio, const char* data, size_t length, size_t* written) {
    auto* ends = static_cast<bio_endpoints*>(BIO_get_data(bio));
    const uint8_t type = ends->record_type;
    ends->record_type = 0;
    // OpenSSL 3.0 changes its own keys for a KeyUpdate without telling the BIO. The sealer
    // follows it: the message goes out under the old keys, then the sealer derives the next
    // ones. The kernel (6.1) cannot: what it sealed after it would be unreadable to the client,
    // so the write fails the connection instead.
    if (ends->sending_taken() && type == handshake_record && length > 0 &&
        uint8_t(data[0]) == key_update_message) {
        if (!ends->sealer.accepted() ||
            !ends->sealer.seal(ends->out->buffer(), type, data, length) ||
            !ends->sealer.next_keys())
            return 0;
        *written = length;
        return 1;
    }
    if (ends->ktls.accepted()) {
        ends->ktls.write(*ends->out, type, data, length);
    } else if (ends->sealer.accepted()) {
        const uint8_t sealed_type = type != 0 ? type : application_data;
        if (!ends->sealer.seal(ends->out->buffer(), sealed_type, data, length)) return 0;
    } else {
        ends->out->buffer().append(data, length);  // records OpenSSL sealed
    }
    *written = length;
    return 1;
}

int read_ex(BIO* bio, char* into, size_t capacity, size_t* read) {
    auto* ends = static_cast<bio_endpoints*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    if (ends->input.empty()) {
        BIO_set_retry_read(bio);  // WANT_READ: the ring brings more when it arrives
        *read = 0;
        return 0;
    }
    const size_t n = std::min(capacity, ends->input.size());
    std::memcpy(into, ends->input.data(), n);
    ends->input.remove_prefix(n);
    *read = n;
    return 1;
}

// OpenSSL 3.0's own kTLS controls (include/internal/bio.h), not in its public headers.
constexpr int ctrl_set_ktls = 72;
constexpr int ctrl_set_ktls_record_type = 74;
constexpr int ctrl_clear_ktls_record_type = 75;

long control(BIO* bio, int command, long number, void* pointer) {
    auto* ends = static_cast<bio_endpoints*>(BIO_get_data(bio));
    switch (command) {
        case BIO_CTRL_FLUSH:
            return 1;  // writes land in the queue at once: nothing to flush, nothing pending
        case BIO_CTRL_GET_KTLS_SEND:
            return ends->sending_taken();
        case ctrl_set_ktls:
            // `number`: for sending. Receiving stays with OpenSSL: the kernel would hand records
            // over with recvmsg control messages, which the ring's multishot receives lack.
            if (number == 0 || ends->sending_taken()) return 0;
            return (ends->kernel_may_seal && ends->ktls.accept_keys(ends->fd, pointer)) ||
                   ends->sealer.accept_keys(pointer);
        case ctrl_set_ktls_record_type:
            ends->record_type = uint8_t(number);
            return 1;
        case ctrl_clear_ktls_record_type:
            ends->record_type = 0;
            return 1;
        default:
            return 0;
    }
}

int create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

const BIO_METHOD* ring_bio_method() {
    static BIO_METHOD* method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ringhttpd ring");
        if (m) {
            BIO_meth_set_write_ex(m, write_ex);
            BIO_meth_set_read_ex(m, read_ex);
            BIO_meth_set_ctrl(m, control);
            BIO_meth_set_create(m, create);
        }
        return m;
    }();
    return method;
}

}  // namespace

BIO* make_ring_bio(bio_endpoints* ends) {
    const BIO_METHOD* method = ring_bio_method();
    BIO* bio = method ? BIO_new(method) : nullptr;
    if (bio) BIO_set_data(bio, ends);
    return bio;
}

namespace {

// OpenSSL's keylog line "SERVER_TRAFFIC_SECRET_0 <client random> <secret>", in hex.
void on_keylog_line(const SSL* ssl, const char* line) {
    constexpr std::string_view label = "SERVER_TRAFFIC_SECRET_0 ";
    const std::string_view text(line);
    if (!text.starts_with(label)) return;
    const size_t space = text.rfind(' ');
    const std::string_view hex = text.substr(space + 1);
    std::array<unsigned char, 48> secret{};
    if (hex.size() > 2 * secret.size() || hex.size() % 2 != 0) return;
    for (size_t i = 0; i < hex.size() / 2; ++i) {
        const auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
        secret[i] = uint8_t(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
    }
    endpoints_of(ssl).sealer.remember_traffic_secret(secret.data(), hex.size() / 2);
    OPENSSL_cleanse(secret.data(), secret.size());
}

}  // namespace

void keep_traffic_secrets(SSL_CTX* ctx) {
    SSL_CTX_set_keylog_callback(ctx, on_keylog_line);
}

bio_endpoints& endpoints_of(const SSL* ssl) {
    return *static_cast<bio_endpoints*>(BIO_get_data(SSL_get_rbio(ssl)));
}

}  // namespace ringhttpd::tls
