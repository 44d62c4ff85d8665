#pragma once
// A policy consulted when connections open and close, e.g. a per-client connection limit.
// Called on ring threads, concurrently from several rings: implementations are thread-safe.

#include "io/client_address.hpp"

namespace ringhttpd::io {

class connection_gate {
  public:
    virtual ~connection_gate() = default;
    // A connection from `client` opened. False: it is over the limit (it is not counted, and
    // release() is not called for it).
    virtual bool admit(const client_address& client) = 0;
    virtual void release(const client_address& client) = 0;
};

}  // namespace ringhttpd::io
