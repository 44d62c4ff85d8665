#pragma once
// What one ring's sessions report each answered request to: the access log, when there is one.

#include "core/access_log.hpp"
#include "http/exchange.hpp"

namespace ringhttpd::core {

class ring_observer final : public http::exchange_observer {
  public:
    ring_observer(unsigned ring, access_log* log) : ring_(ring), log_(log) {}

    void on_exchange(const http::exchange& e) override {
        if (log_ && e.logged) log_->record(ring_, e);
    }

  private:
    const unsigned ring_;
    access_log* const log_;
};

}  // namespace ringhttpd::core
