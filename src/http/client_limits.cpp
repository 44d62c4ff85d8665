#include "http/client_limits.hpp"

#include <algorithm>
#include <cmath>

namespace ringhttpd::http {

namespace {

// Made in place only: a copy would release twice.
struct in_flight_slot {
    in_flight_slot(std::shared_ptr<client_limits> z, const io::client_address& c)
        : zone(std::move(z)), client(c) {}
    ~in_flight_slot() { zone->release(client); }

    std::shared_ptr<client_limits> zone;
    io::client_address client;
};

}  // namespace

in_flight_hold hold_in_flight(const std::shared_ptr<client_limits>& zone,
                              const io::client_address& client) {
    if (!zone->admit(client)) return nullptr;
    return std::make_shared<const in_flight_slot>(zone, client);
}

response over_limit(int status, uint32_t retry_after_s) {
    response res = response::error(status);
    res.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
    return res;
}

client_limits::client_limits(client_limit_config config)
    : config_(config), per_shard_capacity_(std::max<size_t>(1, config.max_clients / shard_count)) {}

client_limits::shard& client_limits::shard_for(const io::client_address& client) {
    return shards_[io::client_address_hash{}(client) % shard_count];
}

client_limits::entry* client_limits::touch(shard& s, const io::client_address& client) {
    if (auto it = s.clients.find(client); it != s.clients.end()) {
        s.lru.splice(s.lru.begin(), s.lru, it->second.lru);
        return &it->second;
    }
    if (s.clients.size() >= per_shard_capacity_) {
        // Evict the least recently seen client that holds no connection.
        auto victim = std::find_if(s.lru.rbegin(), s.lru.rend(), [&](const io::client_address& a) {
            return s.clients.at(a).connections == 0;
        });
        if (victim == s.lru.rend()) return nullptr;
        s.clients.erase(*victim);
        s.lru.erase(std::next(victim).base());
    }
    s.lru.push_front(client);
    entry& e = s.clients[client];
    e.lru = s.lru.begin();
    return &e;
}

blocking_work held_until_answered(blocking_work work, in_flight_hold hold) {
    return [work = std::move(work), hold = std::move(hold)](const context& c) mutable {
        response answer = work(c);
        hold.reset();
        return answer;
    };
}

bool client_limits::admit(const io::client_address& client) {
    if (config_.max_connections == 0) return true;
    shard& s = shard_for(client);
    std::lock_guard lock(s.mutex);
    entry* e = touch(s, client);
    if (!e) return true;
    if (e->connections >= config_.max_connections) return false;
    ++e->connections;
    return true;
}

void client_limits::release(const io::client_address& client) {
    if (config_.max_connections == 0) return;
    shard& s = shard_for(client);
    std::lock_guard lock(s.mutex);
    if (auto it = s.clients.find(client); it != s.clients.end() && it->second.connections > 0)
        --it->second.connections;
}

uint32_t client_limits::check_request(const io::client_address& client, uint64_t now_ms) {
    if (config_.rate_per_s <= 0) return 0;
    shard& s = shard_for(client);
    std::lock_guard lock(s.mutex);
    entry* e = touch(s, client);
    if (!e) return 0;
    if (!e->seen_request) {  // a client's first request starts an empty bucket
        e->seen_request = true;
        e->last_ms = now_ms;
        e->excess_milli = 0;
        return 0;
    }
    // nginx's leaky bucket: the excess drains at `rate` and each request adds one (1000 milli).
    const double drained = config_.rate_per_s * double(now_ms - std::min(now_ms, e->last_ms));
    const double excess = std::max(0.0, double(e->excess_milli) - drained + 1000.0);
    const double allowed = double(config_.burst) * 1000.0;
    if (excess > allowed) {
        // Rejected requests do not fill the bucket. Retry once enough has drained.
        const double wait_ms = (excess - allowed) / config_.rate_per_s;
        return uint32_t(std::max(1.0, std::ceil(wait_ms / 1000.0)));
    }
    e->excess_milli = uint64_t(excess);
    e->last_ms = now_ms;
    return 0;
}

size_t client_limits::tracked_clients() {
    size_t n = 0;
    for (auto& s : shards_) {
        std::lock_guard lock(s.mutex);
        n += s.clients.size();
    }
    return n;
}

}  // namespace ringhttpd::http
