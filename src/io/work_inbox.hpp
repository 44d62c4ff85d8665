#pragma once
// Where workers leave finished work for one ring. Many producers (the workers), one consumer
// (the ring thread). post() says whether the inbox was empty, so a worker wakes the ring only on
// the empty -> non-empty transition: a burst of results costs one wake-up, and the ring takes
// them all in one go.

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "io/stream_handler.hpp"

namespace ringhttpd::io {

class work_inbox {
  public:
    struct item {
        uint32_t slot = 0;                    // the connection the work was for...
        uint32_t generation = 0;              // ...if the slot still holds that connection
        std::unique_ptr<work_result> result;  // a handler's work; null when it threw
        bool file_warmed = false;             // not a handler's: file pages read in for the reactor
    };

    // True when the inbox was empty before: the caller must wake the ring.
    bool post(item finished) {
        std::lock_guard lock(mutex_);
        items_.push_back(std::move(finished));
        return items_.size() == 1;
    }

    std::vector<item> take_all() {
        std::vector<item> taken;
        std::lock_guard lock(mutex_);
        taken.swap(items_);
        return taken;
    }

  private:
    std::mutex mutex_;
    std::vector<item> items_;
};

}  // namespace ringhttpd::io
