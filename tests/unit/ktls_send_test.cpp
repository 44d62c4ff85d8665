// The kTLS pieces this host can check without the kernel's tls module: the record send's control
// message, and the BIO's answers to OpenSSL 3.0's kTLS controls where the kernel cannot take
// over. The kernel's side is proved by scripts/vm-test.sh on Debian's 6.1 kernel.

#include <gtest/gtest.h>
#include <linux/tls.h>

#include "io/record_send.hpp"
#include "tls/ktls_probe.hpp"
#include "tls/ring_bio.hpp"

using namespace ringhttpd;

TEST(record_send, carries_the_record_type_and_the_unsent_bytes) {
    io::output_segment alert;
    alert.bytes = std::string("xx\x01\x00", 4);
    alert.sent = 2;
    alert.record_type = 21;
    io::record_send send;
    io::prepare_record_send(send, alert);
    ASSERT_EQ(send.msg.msg_iovlen, 1u);
    EXPECT_EQ(send.msg.msg_iov->iov_base, alert.bytes.data() + 2);
    EXPECT_EQ(send.msg.msg_iov->iov_len, 2u);
    const cmsghdr* header = CMSG_FIRSTHDR(&send.msg);
    ASSERT_NE(header, nullptr);
    EXPECT_EQ(header->cmsg_level, SOL_TLS);
    EXPECT_EQ(header->cmsg_type, TLS_SET_RECORD_TYPE);
    EXPECT_EQ(header->cmsg_len, CMSG_LEN(1));
    EXPECT_EQ(*CMSG_DATA(header), 21);
    EXPECT_EQ(send.msg.msg_controllen, CMSG_LEN(1));
}

TEST(ktls_probe, knows_the_size_of_each_cipher_it_offers) {
    EXPECT_EQ(tls::crypto_info_size(TLS_CIPHER_AES_GCM_128), sizeof(tls12_crypto_info_aes_gcm_128));
    EXPECT_EQ(tls::crypto_info_size(TLS_CIPHER_CHACHA20_POLY1305),
              sizeof(tls12_crypto_info_chacha20_poly1305));
    EXPECT_EQ(tls::crypto_info_size(0), 0u);
    EXPECT_FALSE(tls::kernel_tls_sends_with(0));
}

TEST(ktls_probe, the_mode_decides_with_the_kernel) {
    EXPECT_FALSE(tls::kernel_tls_send_chosen(kernel_tls_mode::off));
    const bool kernel_has_it = tls::kernel_tls_sends_with(TLS_CIPHER_AES_GCM_128) ||
                               tls::kernel_tls_sends_with(TLS_CIPHER_AES_GCM_256) ||
                               tls::kernel_tls_sends_with(TLS_CIPHER_AES_CCM_128) ||
                               tls::kernel_tls_sends_with(TLS_CIPHER_CHACHA20_POLY1305);
    EXPECT_EQ(tls::kernel_tls_send_chosen(kernel_tls_mode::automatic), kernel_has_it);
    if (kernel_has_it) {
        EXPECT_TRUE(tls::kernel_tls_send_chosen(kernel_tls_mode::on));
    } else {
        try {
            tls::kernel_tls_send_chosen(kernel_tls_mode::on);
            ADD_FAILURE() << "tls_ktls = on started without kTLS";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("modprobe tls"), std::string::npos) << e.what();
        }
    }
}

TEST(ring_bio, seals_in_user_space_where_the_kernel_cannot_take_over) {
    io::output_queue out;
    tls::bio_endpoints ends;
    ends.out = &out;
    BIO* bio = tls::make_ring_bio(&ends);
    ASSERT_NE(bio, nullptr);
    tls12_crypto_info_aes_gcm_128 keys{};
    keys.info = {TLS_1_3_VERSION, TLS_CIPHER_AES_GCM_128};
    constexpr int set_ktls = 72;  // OpenSSL 3.0's BIO_CTRL_SET_KTLS
    EXPECT_EQ(BIO_ctrl(bio, BIO_CTRL_GET_KTLS_SEND, 0, nullptr), 0);
    // Receiving stays in user space, always.
    EXPECT_EQ(BIO_ctrl(bio, set_ktls, 0, &keys), 0);
    // No socket (or, on a kernel without the tls module, no TCP_ULP): the sealer takes them.
    EXPECT_EQ(BIO_ctrl(bio, set_ktls, 1, &keys), 1);
    EXPECT_FALSE(ends.ktls.accepted());
    EXPECT_EQ(BIO_ctrl(bio, BIO_CTRL_GET_KTLS_SEND, 0, nullptr), 1);
    EXPECT_EQ(BIO_ctrl(bio, set_ktls, 1, &keys), 0);  // once only
    // OpenSSL's writes come sealed into the queue: a 5-byte header, the 3 bytes, their type,
    // the tag.
    EXPECT_EQ(BIO_write(bio, "abc", 3), 3);
    EXPECT_EQ(out.front().bytes.size(), 5u + 3 + 1 + 16);
    EXPECT_EQ(out.front().bytes.substr(0, 5), std::string("\x17\x03\x03\x00\x14", 5));
    // A KeyUpdate the sealer's keys could not follow fails the write.
    constexpr int set_record_type = 74;
    EXPECT_EQ(BIO_ctrl(bio, set_record_type, 22, nullptr), 1);
    EXPECT_LE(BIO_write(bio, "\x18\x00\x00\x01\x00", 5), 0);
    BIO_free(bio);
}

TEST(ring_bio, leaves_other_ciphers_to_openssl) {
    io::output_queue out;
    tls::bio_endpoints ends;
    ends.out = &out;
    BIO* bio = tls::make_ring_bio(&ends);
    ASSERT_NE(bio, nullptr);
    tls12_crypto_info_aes_ccm_128 keys{};
    keys.info = {TLS_1_3_VERSION, TLS_CIPHER_AES_CCM_128};
    EXPECT_EQ(BIO_ctrl(bio, 72, 1, &keys), 0);
    EXPECT_EQ(BIO_ctrl(bio, BIO_CTRL_GET_KTLS_SEND, 0, nullptr), 0);
    // OpenSSL's records go into the queue as they are.
    EXPECT_EQ(BIO_write(bio, "abc", 3), 3);
    EXPECT_EQ(out.front().bytes, "abc");
    BIO_free(bio);
}
