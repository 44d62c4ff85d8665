#pragma once
// Per-client limits with nginx's semantics: limit_req (a leaky bucket of `rate` requests per
// second, `burst` extra requests served at once, like nginx's "burst=N nodelay") and limit_conn
// (concurrent connections per address; a location's limit_conn counts its requests in flight the
// same way, with admit and release). Shared by every ring, because SO_REUSEPORT spreads one
// client's connections over all of them; sharded locks keep the rings from contending. Memory
// is bounded: at most `max_clients` addresses are tracked, least recently seen evicted first.

#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "http/real_ip.hpp"
#include "http/request_gate.hpp"
#include "io/client_address.hpp"
#include "io/connection_gate.hpp"
#include "ringhttpd/handler.hpp"
#include "ringhttpd/response.hpp"

namespace ringhttpd::http {

// The answer to a request over a limit: `status` (429 or 503) and when to try again.
response over_limit(int status, uint32_t retry_after_s);

struct client_limit_config {
    double rate_per_s = 0;  // 0: no request limit
    uint32_t burst = 0;
    uint32_t max_connections = 0;  // 0: no connection limit
    size_t max_clients = 65536;
};

// A request counted among its client's requests in flight (limit_conn per request, as nginx
// counts): released when the last copy of the work answering it is gone.
using in_flight_hold = std::shared_ptr<const void>;

class client_limits;
// Counts one more request of `client` in flight in `zone`: the hold, or null when the client
// is at the limit.
in_flight_hold hold_in_flight(const std::shared_ptr<client_limits>& zone,
                              const io::client_address& client);
// `work`, with its request counted in flight until it has answered. The hold is released as
// the answer leaves the work, not when the pool gets round to destroying the work: a client
// that has read its answer and asks again must not be refused for the request it finished.
blocking_work held_until_answered(blocking_work work, in_flight_hold hold);

class client_limits final : public io::connection_gate, public http::request_gate {
  public:
    explicit client_limits(client_limit_config config);

    bool admit(const io::client_address& client) override;
    void release(const io::client_address& client) override;
    // 0 when the request may go ahead, else the seconds to wait (for Retry-After).
    uint32_t check_request(const io::client_address& client, uint64_t now_ms) override;

    size_t tracked_clients();  // for tests

  private:
    struct entry {
        uint64_t last_ms = 0;
        uint64_t excess_milli = 0;  // requests above the rate, in thousandths (nginx's unit)
        uint32_t connections = 0;
        bool seen_request = false;
        std::list<io::client_address>::iterator lru;
    };
    struct shard {
        std::mutex mutex;
        std::unordered_map<io::client_address, entry, io::client_address_hash> clients;
        std::list<io::client_address> lru;  // most recent first
    };
    static constexpr size_t shard_count = 16;

    shard& shard_for(const io::client_address& client);
    // The entry for `client`, created if needed; nullptr when the shard is full of clients that
    // hold connections (then the client is not limited rather than forgetting someone's count).
    entry* touch(shard& s, const io::client_address& client);

    client_limit_config config_;
    size_t per_shard_capacity_;
    std::array<shard, shard_count> shards_;
};

// limit_conn behind trusted proxies (real_ip_from): a proxy's connection carries many clients,
// so the connection is not counted against the proxy's address; the session counts its
// requests instead, by their real client, while they are answered (as nginx's limit_conn counts
// requests). Connections from anyone else are counted as connections.
class proxy_aware_gate final : public io::connection_gate {
  public:
    proxy_aware_gate(std::shared_ptr<client_limits> zone, real_ip_rule rule)
        : zone_(std::move(zone)), rule_(std::move(rule)) {}
    bool admit(const io::client_address& peer) override {
        return rule_.is_trusted(peer) || zone_->admit(peer);
    }
    void release(const io::client_address& peer) override {
        if (!rule_.is_trusted(peer)) zone_->release(peer);
    }

  private:
    std::shared_ptr<client_limits> zone_;
    real_ip_rule rule_;
};

}  // namespace ringhttpd::http
