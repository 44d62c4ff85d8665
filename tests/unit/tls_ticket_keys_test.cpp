#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>
#include <thread>
#include <vector>

#include "tls/ticket_keys.hpp"

using ringhttpd::tls::ticket_keys;
using namespace std::chrono_literals;

namespace {

// A ticket as OpenSSL makes one through the callback: a key name, an IV, the encrypted state
// and an HMAC over them.
struct ticket {
    unsigned char name[16];
    unsigned char iv[EVP_MAX_IV_LENGTH];
    std::string sealed;
    std::string mac;
};

struct crypto_contexts {
    crypto_contexts() {
        mac_algorithm = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        mac = EVP_MAC_CTX_new(mac_algorithm);
        cipher = EVP_CIPHER_CTX_new();
    }
    ~crypto_contexts() {
        EVP_CIPHER_CTX_free(cipher);
        EVP_MAC_CTX_free(mac);
        EVP_MAC_free(mac_algorithm);
    }
    // Feeds `data` through the cipher the callback keyed, and the MAC over the result.
    std::string run_cipher(const std::string& data) {
        std::string out(data.size() + 32, '\0');
        int n = 0, last = 0;
        auto* o = reinterpret_cast<unsigned char*>(out.data());
        EXPECT_EQ(
            EVP_CipherUpdate(cipher, o, &n, reinterpret_cast<const unsigned char*>(data.data()),
                             int(data.size())),
            1);
        EXPECT_EQ(EVP_CipherFinal_ex(cipher, o + n, &last), 1);
        out.resize(size_t(n + last));
        return out;
    }
    std::string mac_of(const std::string& data) {
        EXPECT_EQ(
            EVP_MAC_update(mac, reinterpret_cast<const unsigned char*>(data.data()), data.size()),
            1);
        unsigned char out[EVP_MAX_MD_SIZE];
        size_t n = 0;
        EXPECT_EQ(EVP_MAC_final(mac, out, &n, sizeof out), 1);
        return std::string(reinterpret_cast<char*>(out), n);
    }
    EVP_MAC* mac_algorithm;
    EVP_MAC_CTX* mac;
    EVP_CIPHER_CTX* cipher;
};

const std::string session_state = "the session state a ticket carries";

ticket issue(ticket_keys& keys, ticket_keys::clock::time_point now) {
    ticket t{};
    crypto_contexts c;
    EXPECT_EQ(keys.crypt(t.name, t.iv, c.cipher, c.mac, 1, now), 1);
    t.sealed = c.run_cipher(session_state);
    t.mac = c.mac_of(t.sealed);
    return t;
}

// The callback's answer for `t` at `now` (1, 2 or 0), and that the ticket opens when it is
// accepted.
int open(ticket_keys& keys, ticket t, ticket_keys::clock::time_point now) {
    crypto_contexts c;
    const int result = keys.crypt(t.name, t.iv, c.cipher, c.mac, 0, now);
    if (result > 0) {
        EXPECT_EQ(c.mac_of(t.sealed), t.mac);
        EXPECT_EQ(c.run_cipher(t.sealed), session_state);
    }
    return result;
}

}  // namespace

TEST(tls_ticket_keys, a_ticket_opens_for_two_periods_renewed_in_the_second_then_is_refused) {
    const auto start = ticket_keys::clock::now();
    ticket_keys keys(10s, start);
    const ticket t = issue(keys, start + 1s);
    EXPECT_EQ(open(keys, t, start + 9s), 1);   // its key is current
    EXPECT_EQ(open(keys, t, start + 15s), 2);  // rotated once: the previous key, renew it
    EXPECT_EQ(open(keys, t, start + 19s), 2);
    EXPECT_EQ(open(keys, t, start + 21s), 0);  // two rotations: too old
    // A ticket issued now uses the new current key, and opens as current.
    const ticket fresh = issue(keys, start + 22s);
    EXPECT_NE(std::string(fresh.name, fresh.name + 16), std::string(t.name, t.name + 16));
    EXPECT_EQ(open(keys, fresh, start + 25s), 1);
}

TEST(tls_ticket_keys, rotation_keeps_one_previous_key_and_a_quiet_spell_drops_it) {
    const auto start = ticket_keys::clock::now();
    ticket_keys keys(1s, start);
    const auto first = keys.at(start);
    EXPECT_EQ(keys.at(start + 999ms), first);  // same period, same set
    const auto second = keys.at(start + 1500ms);
    EXPECT_EQ(second->period, 1u);
    ASSERT_TRUE(second->previous);
    EXPECT_EQ(second->previous->name, first->current.name);
    EXPECT_NE(second->current.name, first->current.name);
    EXPECT_NE(second->current.aes_key, first->current.aes_key);
    // Nothing for two periods: the last key would be two periods old, so none is kept.
    const auto later = keys.at(start + 3500ms);
    EXPECT_EQ(later->period, 3u);
    EXPECT_FALSE(later->previous);
    const ticket t = issue(keys, start + 3600ms);
    EXPECT_EQ(open(keys, t, start + 10s), 0);
}

TEST(tls_ticket_keys, an_unknown_key_name_gets_a_full_handshake) {
    const auto start = ticket_keys::clock::now();
    ticket_keys keys(1h, start);
    ticket_keys other(1h, start);
    EXPECT_EQ(open(keys, issue(other, start), start), 0);
}

TEST(tls_ticket_keys, threads_rotating_at_once_all_get_the_one_new_set) {
    const auto start = ticket_keys::clock::now();
    ticket_keys keys(1s, start);
    std::vector<std::shared_ptr<const ringhttpd::tls::ticket_key_set>> seen(8);
    std::vector<std::thread> threads;
    for (auto& s : seen)
        threads.emplace_back([&keys, &s, start] {
            for (int i = 0; i < 1000; ++i) s = keys.at(start + 1s);
        });
    for (auto& t : threads) t.join();
    for (const auto& s : seen) EXPECT_EQ(s, seen.front());
    EXPECT_EQ(seen.front()->period, 1u);
}
