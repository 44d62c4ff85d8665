#pragma once
// Maps (method, path) to a handler. Patterns are exact paths whose segments may be `{name}`
// parameters ("/hello/{name}"). A GET route also answers HEAD. Unmatched paths go to the fallback
// (the static file handler), which serves GET and HEAD. Built once at startup, then read-only and
// shared by all ring threads.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ringhttpd/request.hpp"
#include "ringhttpd/response.hpp"

namespace ringhttpd {

// The handler contract: request in, response out. Handlers never see the ring or the socket.
// A handler that throws produces a 500; the connection and its thread carry on.
using handler = std::function<response(const request&)>;

class router {
  public:
    void add(std::string_view method, std::string_view pattern, handler h);
    void set_fallback(handler h) { fallback_ = std::move(h); }

    // Picks the handler and runs it; answers 404, 405 (with Allow) and 500 itself.
    // Fills req.params for the matched route.
    response dispatch(request& req) const;
    // Every method some route answers, plus GET and HEAD for files and OPTIONS: the Allow
    // header for "OPTIONS *".
    std::string methods() const;

  private:
    struct route {
        std::string method;
        std::vector<std::string> segments;  // "{name}" marks a parameter
        handler fn;
    };
    static bool matches(const route& r, const std::vector<std::string>& segments, request* req);

    std::vector<route> routes_;
    handler fallback_;
};

}  // namespace ringhttpd
