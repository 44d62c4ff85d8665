#pragma once
// A hashed timer wheel: one per ring, O(1) to schedule, move or cancel a timer, which matters
// because every request moves its connection's deadline. Nodes are intrusive (embedded in the
// connection), so timers cost no allocation. Single-threaded: the ring thread owns it.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ringhttpd::io {

struct timer_node {
    timer_node* prev = nullptr;  // null while not scheduled
    timer_node* next = nullptr;
    uint64_t deadline_ms = 0;
    uint32_t owner = 0;  // for the owner to find itself when the timer fires (a slot index)
    bool scheduled() const { return prev != nullptr; }
};

class timer_wheel {
  public:
    static constexpr uint64_t tick_ms = 10;
    static constexpr size_t bucket_count = 8192;  // one lap is ~82 s; later deadlines wait laps

    explicit timer_wheel(uint64_t now_ms);
    timer_wheel(const timer_wheel&) = delete;
    timer_wheel& operator=(const timer_wheel&) = delete;

    void schedule(timer_node& node, uint64_t deadline_ms);  // (re)schedules
    void cancel(timer_node& node);
    size_t size() const { return size_; }

    // Unlinks every node whose deadline is at or before `now_ms` and returns them; the caller
    // acts on each (and may schedule it again).
    std::vector<timer_node*> expire(uint64_t now_ms);

  private:
    // A deadline belongs to the tick that ends at or after it, so timers fire late (by less than
    // a tick), never early.
    static uint64_t tick_of(uint64_t deadline_ms) { return (deadline_ms + tick_ms - 1) / tick_ms; }

    std::vector<timer_node> buckets_;  // circular lists with the bucket as sentinel
    uint64_t next_tick_;               // the first tick not yet expired
    size_t size_ = 0;
};

}  // namespace ringhttpd::io
