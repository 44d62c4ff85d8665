#pragma once
// A byte range of an open file, as the I/O layer sends it. The protocol layer above has its own
// file body type and converts: the I/O layer knows nothing of responses.

#include <sys/types.h>

#include <cstdint>
#include <memory>

#include "ringhttpd/unique_fd.hpp"

namespace ringhttpd::io {

struct file_range {
    // Shared: one cached open file can be sent to many connections at once (each sends its own
    // range; the file position is never used).
    std::shared_ptr<const unique_fd> fd;
    off_t offset = 0;
    uint64_t length = 0;
};

}  // namespace ringhttpd::io
