#include "io/record_send.hpp"

#include <linux/tls.h>

namespace ringhttpd::io {

void prepare_record_send(record_send& send, output_segment& segment) {
    send.iov = {segment.bytes.data() + segment.sent, segment.unsent()};
    send.msg = {};
    send.msg.msg_iov = &send.iov;
    send.msg.msg_iovlen = 1;
    send.msg.msg_control = send.control;
    send.msg.msg_controllen = sizeof send.control;
    cmsghdr* header = CMSG_FIRSTHDR(&send.msg);
    header->cmsg_level = SOL_TLS;
    header->cmsg_type = TLS_SET_RECORD_TYPE;
    header->cmsg_len = CMSG_LEN(1);
    *CMSG_DATA(header) = segment.record_type;
    send.msg.msg_controllen = header->cmsg_len;
}

}  // namespace ringhttpd::io
