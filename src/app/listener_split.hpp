#pragma once
// Keeps the metrics listener apart from the public ones: a request that arrived on `address`
// (request::listener) is answered only by `monitoring` (404 for anything else there), and every
// other request by `public_routes`, which never see the monitoring listener's requests. So the
// monitoring endpoints cannot leak onto a public address, and a public site cannot be reached on
// the monitoring one.

#include <memory>
#include <string>

#include "ringhttpd/router.hpp"

namespace ringhttpd::app {

class listener_split final : public fallback_routes {
  public:
    listener_split(std::string address, router monitoring, router public_routes)
        : address_(std::move(address)),
          monitoring_(std::move(monitoring)),
          public_(std::move(public_routes)) {}

    route_result dispatch(request& req, const context& ctx) const override {
        return (req.listener == address_ ? monitoring_ : public_).dispatch(req, ctx);
    }
    std::optional<uint64_t> body_limit(const request& head) const override {
        return head.listener == address_ ? std::nullopt : public_.body_limit(head);
    }

  private:
    const std::string address_;  // listen_address::text()
    const router monitoring_;
    const router public_;
};

}  // namespace ringhttpd::app
