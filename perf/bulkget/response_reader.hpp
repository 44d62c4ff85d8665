#pragma once
// Reads HTTP/1.1 responses from a keep-alive connection for bulkget: the status code and where
// each response ends, nothing more. Bodies are counted, never copied or kept, so a 1 MB answer
// costs the client the kernel's copy into its read buffer and no more.
//
// Responses must carry Content-Length (every static file and API answer does); a body without it
// (chunked, or until close) is reported as a protocol error rather than guessed at.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace bulkget {

class response_reader {
  public:
    enum class outcome {
        need_more,  // every byte given was consumed; the response is not complete yet
        complete,   // one response ended; `consumed` says where, status() what it was
        error,      // not a response this reader can follow; the connection must be dropped
    };
    struct result {
        outcome what;
        size_t consumed;  // bytes of the input used
    };

    // Feeds received bytes; stops at the end of one response (call again with the rest).
    result feed(std::string_view bytes);

    int status() const { return status_; }
    bool close_after() const { return close_after_; }  // the server said Connection: close
    const std::string& error_text() const { return error_; }

  private:
    result parse_head(std::string_view bytes);
    bool interpret_head();
    bool reject(std::string text);  // records why; always false

    static constexpr size_t max_head_bytes = 16 * 1024;

    std::string head_;        // the head as it arrives, until its blank line
    uint64_t body_left_ = 0;  // body bytes still to come
    bool in_body_ = false;
    int status_ = 0;
    bool close_after_ = false;
    std::string error_;
};

}  // namespace bulkget
