#pragma once
// What one ring's sessions report each answered request to: the access log and the request
// metrics, each when it is on. Lives as long as the server; called on its ring's thread only.

#include "core/access_log.hpp"
#include "core/request_metrics.hpp"
#include "http/exchange.hpp"

namespace ringhttpd::core {

class ring_observer final : public http::exchange_observer {
  public:
    // `log`: null when the access log is off; `count`: whether the metrics are on.
    ring_observer(unsigned ring, access_log* log, bool count)
        : ring_(ring), log_(log), count_(count) {}

    void on_dispatched() override {
        if (count_) metrics_.on_dispatched();
    }
    void on_abandoned() override {
        if (count_) metrics_.on_abandoned();
    }
    void on_exchange(const http::exchange& e) override {
        if (log_ && e.logged) log_->record(ring_, e);
        if (count_) metrics_.record(e);
    }

    const request_metrics& metrics() const { return metrics_; }  // from any thread

  private:
    const unsigned ring_;
    access_log* const log_;
    const bool count_;
    request_metrics metrics_;
};

}  // namespace ringhttpd::core
