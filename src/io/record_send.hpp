#pragma once
// The sendmsg of one TLS record's content on a kTLS socket (output_segment::record_type): the
// kernel seals it as a record of that type rather than application data when a
// TLS_SET_RECORD_TYPE control message comes with it (alerts, TLS 1.3 session tickets).

#include <sys/socket.h>
#include <sys/uio.h>

#include "io/output_queue.hpp"

namespace ringhttpd::io {

// What a sendmsg points into. io_uring reads it when the send is issued and again when it must
// wait and retry, so it lives as long as the send is in flight (one per connection).
struct record_send {
    msghdr msg{};
    iovec iov{};
    alignas(cmsghdr) unsigned char control[CMSG_SPACE(1)]{};
};

// Points `send` at the unsent part of `segment`, with its record type.
void prepare_record_send(record_send& send, output_segment& segment);

}  // namespace ringhttpd::io
