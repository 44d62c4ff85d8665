#include "io/timer_wheel.hpp"

#include <algorithm>

namespace ringhttpd::io {

timer_wheel::timer_wheel(uint64_t now_ms) : buckets_(bucket_count), next_tick_(now_ms / tick_ms) {
    for (auto& b : buckets_) b.prev = b.next = &b;
}

void timer_wheel::schedule(timer_node& node, uint64_t deadline_ms) {
    cancel(node);
    node.deadline_ms = deadline_ms;
    // A deadline in a tick already expired goes to the next tick to expire.
    timer_node& head = buckets_[std::max(tick_of(deadline_ms), next_tick_) % bucket_count];
    node.prev = &head;
    node.next = head.next;
    head.next->prev = &node;
    head.next = &node;
    ++size_;
}

void timer_wheel::cancel(timer_node& node) {
    if (!node.scheduled()) return;
    node.prev->next = node.next;
    node.next->prev = node.prev;
    node.prev = node.next = nullptr;
    --size_;
}

std::vector<timer_node*> timer_wheel::expire(uint64_t now_ms) {
    std::vector<timer_node*> expired;
    const uint64_t now_tick = now_ms / tick_ms;  // every tick up to this one has fully elapsed
    if (size_ == 0 || now_tick < next_tick_) {
        if (now_tick >= next_tick_) next_tick_ = now_tick + 1;
        return expired;
    }
    // After a long stall one lap visits every bucket; later laps would find nothing new.
    const uint64_t last = std::min(now_tick, next_tick_ + bucket_count - 1);
    for (uint64_t tick = next_tick_; tick <= last; ++tick) {
        timer_node& head = buckets_[tick % bucket_count];
        for (timer_node* n = head.next; n != &head;) {
            timer_node* following = n->next;
            if (n->deadline_ms <= now_ms) {  // nodes of later laps stay
                cancel(*n);
                expired.push_back(n);
            }
            n = following;
        }
    }
    next_tick_ = now_tick + 1;
    return expired;
}

}  // namespace ringhttpd::io
