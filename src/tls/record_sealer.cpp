#include "tls/record_sealer.hpp"

#include <linux/tls.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <string_view>

namespace ringhttpd::tls {
namespace {

constexpr size_t max_fragment = 16 * 1024;
constexpr size_t header_size = 5;
constexpr size_t tag_size = 16;
constexpr size_t explicit_nonce_size = 8;  // TLS 1.2's GCM nonce, sent in each record

// Fetched once: EVP_aes_*_gcm() would make OpenSSL 3.0 look the cipher up on every key change.
const EVP_CIPHER* aes_gcm(size_t key_size) {
    static EVP_CIPHER* const aes128 = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
    static EVP_CIPHER* const aes256 = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return key_size == 16 ? aes128 : aes256;
}

// Cipher contexts per thread, each keyed for the connection that sealed on it last, found by
// the keys' id: the key schedule is redone only when two connections sharing a slot take
// turns, and an idle connection holds 60 bytes of keys rather than a context of ~1 KB. Ids are
// never reused, so a connection gone cannot be mistaken for a new one at the same address, and
// consecutive ones (connections accepted together) land in different slots.
struct cached_cipher {
    EVP_CIPHER_CTX* context = nullptr;
    uint64_t keys_id = 0;
};
struct cipher_cache {
    std::array<cached_cipher, 256> slots{};
    cached_cipher& slot(uint64_t keys_id) { return slots[keys_id % slots.size()]; }
    ~cipher_cache() {
        for (cached_cipher& slot : slots) EVP_CIPHER_CTX_free(slot.context);
    }
};
thread_local cipher_cache cache;
std::atomic<uint64_t> last_keys_id{0};

void put_u16(char* at, size_t value) {
    at[0] = char(value >> 8);
    at[1] = char(value);
}

void put_u64(unsigned char* at, uint64_t value) {
    for (int i = 7; i >= 0; --i, value >>= 8) at[i] = uint8_t(value);
}

template <typename Info>
void take(const Info& info, std::array<unsigned char, 32>& key, std::array<unsigned char, 12>& iv,
          uint64_t& sequence) {
    std::memcpy(key.data(), info.key, sizeof info.key);
    std::memcpy(iv.data(), info.salt, sizeof info.salt);
    std::memcpy(iv.data() + sizeof info.salt, info.iv, sizeof info.iv);
    sequence = 0;
    for (unsigned char byte : info.rec_seq) sequence = sequence << 8 | byte;
}

}  // namespace

bool record_sealer::accept_keys(const void* crypto_info) {
    if (accepted() || !crypto_info) return false;
    const auto* header = static_cast<const tls_crypto_info*>(crypto_info);
    if (header->version != TLS_1_2_VERSION && header->version != TLS_1_3_VERSION) return false;
    if (header->cipher_type == TLS_CIPHER_AES_GCM_128) {
        take(*static_cast<const tls12_crypto_info_aes_gcm_128*>(crypto_info), key_, iv_, sequence_);
        key_size_ = 16;
    } else if (header->cipher_type == TLS_CIPHER_AES_GCM_256) {
        take(*static_cast<const tls12_crypto_info_aes_gcm_256*>(crypto_info), key_, iv_, sequence_);
        key_size_ = 32;
    } else {
        return false;
    }
    tls13_ = header->version == TLS_1_3_VERSION;
    keys_id_ = ++last_keys_id;
    if (!aes_gcm(key_size_) || !context()) {
        reset();
        return false;
    }
    return true;
}

EVP_CIPHER_CTX* record_sealer::context() {
    cached_cipher& slot = cache.slot(keys_id_);
    if (slot.keys_id == keys_id_) return slot.context;
    if (!slot.context && !(slot.context = EVP_CIPHER_CTX_new())) return nullptr;
    const EVP_CIPHER* cipher = aes_gcm(key_size_);
    // The cipher only when it changes: naming it again would make OpenSSL rebuild the context
    // rather than just its key schedule.
    const bool same = EVP_CIPHER_CTX_get0_cipher(slot.context) == cipher;
    slot.keys_id = 0;
    if (EVP_EncryptInit_ex(slot.context, same ? nullptr : cipher, nullptr, key_.data(), nullptr) !=
        1)
        return nullptr;
    slot.keys_id = keys_id_;
    return slot.context;
}

bool record_sealer::seal(std::string& out, uint8_t type, const char* data, size_t length) {
    if (!accepted()) return false;
    EVP_CIPHER_CTX* const keyed = context();
    if (!keyed) return false;
    const size_t overhead = header_size + tag_size + (tls13_ ? 1 : explicit_nonce_size);
    const size_t records = (length + max_fragment - 1) / max_fragment;
    const size_t start = out.size();
    out.resize(start + length + records * overhead);
    char* into = out.data() + start;
    for (size_t done = 0; done < length;) {
        const size_t piece = std::min(length - done, max_fragment);
        const size_t sealed = seal_record(keyed, into, type, data + done, piece);
        if (sealed == 0) {
            out.resize(start);
            return false;
        }
        into += sealed;
        done += piece;
    }
    out.resize(size_t(into - out.data()));
    return true;
}

size_t record_sealer::seal_record(EVP_CIPHER_CTX* context, char* into, uint8_t type,
                                  const char* data, size_t length) {
    auto* record = reinterpret_cast<unsigned char*>(into);
    // The nonce: TLS 1.3 the static IV with the sequence number xored into its last 8 bytes;
    // TLS 1.2 the salt and an explicit part sent ahead of the ciphertext (OpenSSL's counter,
    // carried on from the key material as the kernel does).
    std::array<unsigned char, 12> nonce = iv_;
    unsigned char sequence[8];
    put_u64(sequence, sequence_);
    size_t body = header_size;
    if (tls13_) {
        for (size_t i = 0; i < 8; ++i) nonce[4 + i] ^= sequence[i];
    } else {
        std::memcpy(record + body, nonce.data() + 4, explicit_nonce_size);
        body += explicit_nonce_size;
    }
    const size_t inner = length + (tls13_ ? 1 : 0);  // TLS 1.3 seals the type after the data
    const size_t size = body + inner + tag_size;
    // TLS 1.3 records all say application data outside; the header is the additional data.
    record[0] = tls13_ ? application_data : type;
    record[1] = 3;
    record[2] = 3;
    put_u16(into + 3, size - header_size);
    unsigned char tls12_aad[13];
    const unsigned char* aad = record;
    int aad_size = header_size;
    if (!tls13_) {
        std::memcpy(tls12_aad, sequence, 8);
        tls12_aad[8] = type;
        tls12_aad[9] = 3;
        tls12_aad[10] = 3;
        put_u16(reinterpret_cast<char*>(tls12_aad + 11), length);
        aad = tls12_aad;
        aad_size = sizeof tls12_aad;
    }
    int n = 0;
    unsigned char* out = record + body;
    const bool sealed =
        EVP_EncryptInit_ex(context, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
        EVP_EncryptUpdate(context, nullptr, &n, aad, aad_size) == 1 &&
        EVP_EncryptUpdate(context, out, &n, reinterpret_cast<const unsigned char*>(data),
                          int(length)) == 1 &&
        (!tls13_ || EVP_EncryptUpdate(context, out + length, &n, &type, 1) == 1) &&
        EVP_EncryptFinal_ex(context, out + inner, &n) == 1 &&
        EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, tag_size, out + inner) == 1;
    if (!sealed) return 0;
    ++sequence_;
    if (!tls13_) {
        // The explicit nonce counts up with the records, big-endian, as OpenSSL's does.
        for (size_t i = iv_.size(); i-- > 4 && ++iv_[i] == 0;) {
        }
    }
    return size;
}

namespace {

// HKDF-Expand-Label(secret, label, "", size) of RFC 8446 §7.1, with the suite's hash.
bool expand_label(const std::array<unsigned char, 48>& secret, size_t secret_size,
                  std::string_view label, unsigned char* out, size_t size) {
    const std::string full = "tls13 " + std::string(label);
    std::array<unsigned char, 64> info{};
    info[0] = uint8_t(size >> 8);
    info[1] = uint8_t(size);
    info[2] = uint8_t(full.size());
    std::memcpy(info.data() + 3, full.data(), full.size());
    const size_t info_size = 3 + full.size() + 1;  // and an empty context
    EVP_PKEY_CTX* hkdf = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
    size_t got = size;
    const bool done =
        hkdf && EVP_PKEY_derive_init(hkdf) == 1 &&
        EVP_PKEY_CTX_set_hkdf_mode(hkdf, EVP_PKEY_HKDEF_MODE_EXPAND_ONLY) == 1 &&
        EVP_PKEY_CTX_set_hkdf_md(hkdf, secret_size == 48 ? EVP_sha384() : EVP_sha256()) == 1 &&
        EVP_PKEY_CTX_set1_hkdf_key(hkdf, secret.data(), int(secret_size)) == 1 &&
        EVP_PKEY_CTX_add1_hkdf_info(hkdf, info.data(), int(info_size)) == 1 &&
        EVP_PKEY_derive(hkdf, out, &got) == 1 && got == size;
    EVP_PKEY_CTX_free(hkdf);
    return done;
}

}  // namespace

void record_sealer::remember_traffic_secret(const unsigned char* secret, size_t size) {
    if (size != 32 && size != 48) return;
    std::memcpy(secret_.data(), secret, size);
    secret_size_ = uint8_t(size);
}

bool record_sealer::next_keys() {
    if (!accepted() || !tls13_ || secret_size_ == 0) return false;
    std::array<unsigned char, 48> next{};
    const bool derived =
        expand_label(secret_, secret_size_, "traffic upd", next.data(), secret_size_) &&
        expand_label(next, secret_size_, "key", key_.data(), key_size_) &&
        expand_label(next, secret_size_, "iv", iv_.data(), iv_.size());
    secret_ = next;
    OPENSSL_cleanse(next.data(), next.size());
    if (!derived) return false;
    // New keys get a new id, so that no thread's cached context is taken for them.
    keys_id_ = ++last_keys_id;
    sequence_ = 0;
    return context() != nullptr;
}

void record_sealer::reset() {
    // The cached key schedule is this thread's: wiped when it is ours and we are on it.
    if (accepted()) {
        cached_cipher& slot = cache.slot(keys_id_);
        if (slot.keys_id == keys_id_) {
            EVP_CIPHER_CTX_reset(slot.context);
            slot.keys_id = 0;
        }
    }
    OPENSSL_cleanse(key_.data(), key_.size());
    OPENSSL_cleanse(iv_.data(), iv_.size());
    OPENSSL_cleanse(secret_.data(), secret_.size());
    secret_size_ = 0;
    keys_id_ = 0;
    sequence_ = 0;
}

}  // namespace ringhttpd::tls
