#include "tls/ktls_probe.hpp"

#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::tls {
namespace {

constexpr std::array<uint16_t, 4> ciphers = {TLS_CIPHER_AES_GCM_128, TLS_CIPHER_AES_GCM_256,
                                             TLS_CIPHER_AES_CCM_128, TLS_CIPHER_CHACHA20_POLY1305};

// A connected loopback TCP pair: TCP_ULP needs an established connection.
struct loopback_pair {
    unique_fd client, server;
};

loopback_pair connect_loopback() {
    unique_fd listener(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    unique_fd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!listener || !client) return {};
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    auto* any = reinterpret_cast<sockaddr*>(&address);
    if (bind(listener.get(), any, sizeof address) != 0 || listen(listener.get(), 1) != 0 ||
        getsockname(listener.get(), any, &length) != 0 ||
        connect(client.get(), any, sizeof address) != 0)
        return {};
    unique_fd server(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    return {std::move(client), std::move(server)};
}

// Whether the kernel takes sending keys for `cipher` (all zero: the socket sends nothing).
bool takes_keys(uint16_t cipher) {
    const loopback_pair pair = connect_loopback();
    if (!pair.server || setsockopt(pair.server.get(), SOL_TCP, TCP_ULP, "tls", sizeof "tls") != 0)
        return false;
    std::array<unsigned char, 64> keys{};
    tls_crypto_info header{TLS_1_3_VERSION, cipher};
    std::copy_n(reinterpret_cast<const unsigned char*>(&header), sizeof header, keys.begin());
    return setsockopt(pair.server.get(), SOL_TLS, TLS_TX, keys.data(),
                      socklen_t(crypto_info_size(cipher))) == 0;
}

struct findings {
    std::array<bool, ciphers.size()> takes{};
    bool any = false;
};

const findings& probe() {
    static const findings found = [] {
        findings f;
        for (size_t i = 0; i < ciphers.size(); ++i) {
            f.takes[i] = takes_keys(ciphers[i]);
            f.any = f.any || f.takes[i];
        }
        return f;
    }();
    return found;
}

}  // namespace

size_t crypto_info_size(uint16_t cipher_type) {
    switch (cipher_type) {
        case TLS_CIPHER_AES_GCM_128:
            return sizeof(tls12_crypto_info_aes_gcm_128);
        case TLS_CIPHER_AES_GCM_256:
            return sizeof(tls12_crypto_info_aes_gcm_256);
        case TLS_CIPHER_AES_CCM_128:
            return sizeof(tls12_crypto_info_aes_ccm_128);
        case TLS_CIPHER_CHACHA20_POLY1305:
            return sizeof(tls12_crypto_info_chacha20_poly1305);
        default:
            return 0;
    }
}

bool kernel_tls_send_chosen(kernel_tls_mode mode) {
    // `off` asks nothing: the probe's TCP_ULP would load tls.ko for a privileged process.
    if (mode == kernel_tls_mode::off) return false;
    if (mode == kernel_tls_mode::on && !probe().any)
        throw std::runtime_error(
            "tls_ktls = on, but this kernel takes no TLS keys: load its tls module (`modprobe "
            "tls`; in a container, on the host), or set tls_ktls = auto to fall back to "
            "user-space TLS");
    return probe().any;
}

bool kernel_tls_sends_with(uint16_t cipher_type) {
    const auto at = std::find(ciphers.begin(), ciphers.end(), cipher_type);
    return at != ciphers.end() && probe().takes[size_t(at - ciphers.begin())];
}

}  // namespace ringhttpd::tls
