#pragma once
// A connection's pending output, in order: runs of bytes in memory and byte ranges of files.
// The protocol layer appends; the reactor sends from the front, one send at a time. A file range
// goes from the page cache to the socket with sendfile, so a response of any size needs no
// memory of its own.

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>

#include "io/file_range.hpp"

namespace ringhttpd::io {

struct output_segment {
    // Memory segment: the bytes to send. File segment: the chunk most recently read.
    std::string bytes;
    size_t sent = 0;                 // bytes of `bytes` already sent
    std::optional<file_range> file;  // what remains to be read of the file, if a file segment
    // Nonzero: `bytes` is the content of one TLS record of this type (an alert, a handshake
    // message) for the kernel's TLS layer to seal, sent with a TLS_SET_RECORD_TYPE control
    // message. Zero: bytes as they are (under kTLS, application data).
    uint8_t record_type = 0;

    size_t unsent() const { return bytes.size() - sent; }
    // Back to a new segment's state, keeping the buffer's capacity for the next bytes.
    void clear() {
        bytes.clear();
        sent = 0;
        file.reset();
        record_type = 0;
    }
};

class output_queue {
  public:
    // Where to append bytes: the last segment if it is in memory and not being sent right now
    // (appending could move the bytes under an in-flight send), else a new segment.
    std::string& buffer();
    void push_file(file_range file);
    // A segment of its own that nothing is appended to: see output_segment::record_type.
    void push_record(uint8_t type, std::string content);
    // Moves every segment of `from` to the end of this queue, as they are (part sent or not).
    void take_all(output_queue& from);

    bool empty() const { return segments_.empty(); }
    bool has_file() const;
    bool file_follows_front() const;  // the second segment is a file
    bool front_is_last() const { return segments_.size() == 1; }
    size_t pending_bytes() const;  // bytes held in memory, for backpressure

    output_segment& front() { return segments_.front(); }
    void pop_front();
    void set_front_busy(bool busy) { front_busy_ = busy; }
    void clear();

  private:
    // A list: an empty one allocates nothing (an idle connection pays only for the object), and
    // appending never moves the segment an in-flight send points into.
    std::list<output_segment> segments_;
    bool front_busy_ = false;
};

}  // namespace ringhttpd::io
