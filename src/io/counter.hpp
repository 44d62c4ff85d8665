#pragma once
// A counter with one writer (the thread that owns it, e.g. a ring) and any number of readers (a
// scrape on another thread). The writer adds with a relaxed load and store, not a read-modify-
// write: no lock, no locked instruction, and the line stays in the writer's cache; a reader
// sees some recent value, which is all a metric needs. Never write one from two threads.

#include <atomic>
#include <cstdint>

namespace ringhttpd::io {

class counter {
  public:
    void add(uint64_t n = 1) {
        value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    uint64_t get() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<uint64_t> value_{0};
};

}  // namespace ringhttpd::io
