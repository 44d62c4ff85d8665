// The user-space sealer against an independent opening of its records (RFC 8446 §5.2 and
// RFC 5288 spelled out with EVP here): real clients read them in the e2e TLS tests.

#include "tls/record_sealer.hpp"

#include <gtest/gtest.h>
#include <linux/tls.h>
#include <openssl/evp.h>

#include <cstring>
#include <string>
#include <vector>

using ringhttpd::tls::record_sealer;

namespace {

tls12_crypto_info_aes_gcm_256 keys_for(uint16_t version) {
    tls12_crypto_info_aes_gcm_256 keys{};
    keys.info = {version, TLS_CIPHER_AES_GCM_256};
    for (size_t i = 0; i < sizeof keys.key; ++i) keys.key[i] = uint8_t(i * 7 + 1);
    for (size_t i = 0; i < sizeof keys.salt; ++i) keys.salt[i] = uint8_t(0xa0 + i);
    for (size_t i = 0; i < sizeof keys.iv; ++i) keys.iv[i] = uint8_t(0x10 + i);
    keys.rec_seq[7] = 5;  // OpenSSL hands over the sequence number it reached
    return keys;
}

struct opened {
    uint8_t type = 0;
    std::string data;
};

// Opens the record at the front of `records` and removes it; fails the test when it does not.
opened open_record(std::string& records, const tls12_crypto_info_aes_gcm_256& keys,
                   uint64_t sequence) {
    const bool tls13 = keys.info.version == TLS_1_3_VERSION;
    EXPECT_GE(records.size(), 5u);
    const auto* record = reinterpret_cast<const unsigned char*>(records.data());
    const size_t length = size_t(record[3]) << 8 | record[4];
    EXPECT_LE(5 + length, records.size());
    unsigned char nonce[12];
    std::memcpy(nonce, keys.salt, 4);
    unsigned char seq[8];
    for (int i = 7; i >= 0; --i) seq[i] = uint8_t(sequence >> (8 * (7 - i)));
    size_t body = 5;
    unsigned char aad[13];
    size_t aad_size = 5;
    size_t sealed = length - 16;
    if (tls13) {
        std::memcpy(nonce + 4, keys.iv, 8);
        for (int i = 0; i < 8; ++i) nonce[4 + i] ^= seq[i];
        std::memcpy(aad, record, 5);
    } else {
        std::memcpy(nonce + 4, record + 5, 8);
        body += 8;
        sealed -= 8;
        std::memcpy(aad, seq, 8);
        aad[8] = record[0];
        aad[9] = 3;
        aad[10] = 3;
        aad[11] = uint8_t(sealed >> 8);
        aad[12] = uint8_t(sealed);
        aad_size = 13;
    }
    std::string plain(sealed, '\0');
    EVP_CIPHER_CTX* context = EVP_CIPHER_CTX_new();
    int n = 0;
    unsigned char tag[16];
    std::memcpy(tag, record + body + sealed, 16);
    const bool ok = EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nullptr, keys.key, nonce) == 1 &&
                    EVP_DecryptUpdate(context, nullptr, &n, aad, int(aad_size)) == 1 &&
                    EVP_DecryptUpdate(context, reinterpret_cast<unsigned char*>(plain.data()), &n,
                                      record + body, int(sealed)) == 1 &&
                    EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1 &&
                    EVP_DecryptFinal_ex(context, nullptr, &n) == 1;
    EVP_CIPHER_CTX_free(context);
    EXPECT_TRUE(ok) << "record " << sequence << " does not open";
    opened result;
    result.type = record[0];
    if (tls13 && !plain.empty()) {
        result.type = uint8_t(plain.back());
        plain.pop_back();
        EXPECT_EQ(record[0], 23);  // TLS 1.3 hides the type inside
    }
    result.data = std::move(plain);
    records.erase(0, 5 + length);
    return result;
}

void seals_readable_records(uint16_t version) {
    const auto keys = keys_for(version);
    record_sealer sealer;
    ASSERT_TRUE(sealer.accept_keys(&keys));
    EXPECT_FALSE(sealer.accept_keys(&keys));  // once per connection
    std::string big(40 * 1024, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = char(i * 31);
    std::string out = "kept";
    ASSERT_TRUE(sealer.seal(out, 23, big.data(), big.size()));
    ASSERT_TRUE(sealer.seal(out, 21, "\x01\x00", 2));
    ASSERT_EQ(out.substr(0, 4), "kept");
    out.erase(0, 4);
    std::string got;
    for (uint64_t sequence = 5; sequence < 8; ++sequence) {
        const opened record = open_record(out, keys, sequence);
        EXPECT_EQ(record.type, 23);
        EXPECT_LE(record.data.size(), 16u * 1024);
        got += record.data;
    }
    EXPECT_EQ(got, big);
    const opened alert = open_record(out, keys, 8);
    EXPECT_EQ(alert.type, 21);
    EXPECT_EQ(alert.data, std::string("\x01\x00", 2));
    EXPECT_TRUE(out.empty());
}

}  // namespace

TEST(record_sealer, seals_tls13_records_a_client_opens) {
    seals_readable_records(TLS_1_3_VERSION);
}

TEST(record_sealer, seals_tls12_records_a_client_opens) {
    seals_readable_records(TLS_1_2_VERSION);
}

TEST(record_sealer, connections_taking_turns_keep_their_own_keys) {
    auto first_keys = keys_for(TLS_1_3_VERSION);
    auto second_keys = first_keys;
    second_keys.key[0] ^= 1;
    record_sealer first, second;
    ASSERT_TRUE(first.accept_keys(&first_keys));
    ASSERT_TRUE(second.accept_keys(&second_keys));
    std::string a, b;
    ASSERT_TRUE(first.seal(a, 23, "one", 3));
    ASSERT_TRUE(second.seal(b, 23, "two", 3));
    ASSERT_TRUE(first.seal(a, 23, "three", 5));
    EXPECT_EQ(open_record(a, first_keys, 5).data, "one");
    EXPECT_EQ(open_record(b, second_keys, 5).data, "two");
    EXPECT_EQ(open_record(a, first_keys, 6).data, "three");
}

TEST(record_sealer, connections_sharing_a_cached_context_keep_their_own_keys) {
    // More connections than the thread caches contexts for: some share one and rekey it.
    auto first_keys = keys_for(TLS_1_3_VERSION);
    auto last_keys = first_keys;
    last_keys.key[0] ^= 1;
    std::vector<record_sealer> sealers(1000);
    ASSERT_TRUE(sealers.front().accept_keys(&first_keys));
    for (size_t i = 1; i + 1 < sealers.size(); ++i)
        ASSERT_TRUE(sealers[i].accept_keys(&first_keys));
    ASSERT_TRUE(sealers.back().accept_keys(&last_keys));
    std::string a, b;
    for (size_t round = 0; round < 2; ++round) {
        for (size_t i = 1; i + 1 < sealers.size(); ++i) {
            std::string ignored;
            ASSERT_TRUE(sealers[i].seal(ignored, 23, "x", 1));
        }
        ASSERT_TRUE(sealers.front().seal(a, 23, "one", 3));
        ASSERT_TRUE(sealers.back().seal(b, 23, "two", 3));
    }
    EXPECT_EQ(open_record(a, first_keys, 5).data, "one");
    EXPECT_EQ(open_record(a, first_keys, 6).data, "one");
    EXPECT_EQ(open_record(b, last_keys, 5).data, "two");
    EXPECT_EQ(open_record(b, last_keys, 6).data, "two");
}

TEST(record_sealer, refuses_other_ciphers_and_forgets_on_reset) {
    tls12_crypto_info_chacha20_poly1305 chacha{};
    chacha.info = {TLS_1_3_VERSION, TLS_CIPHER_CHACHA20_POLY1305};
    record_sealer sealer;
    EXPECT_FALSE(sealer.accept_keys(&chacha));
    EXPECT_FALSE(sealer.accepted());
    std::string out;
    EXPECT_FALSE(sealer.seal(out, 23, "x", 1));
    const auto keys = keys_for(TLS_1_3_VERSION);
    ASSERT_TRUE(sealer.accept_keys(&keys));
    sealer.reset();
    EXPECT_FALSE(sealer.accepted());
    EXPECT_TRUE(sealer.accept_keys(&keys));  // the connection's next use
}
