#include "io/output_queue.hpp"

#include <iterator>
#include <numeric>

namespace ringhttpd::io {
namespace {

// Segments sent and popped on this thread, emptied, for the next response to reuse: a response
// then takes a list node and a buffer with room instead of allocating both and freeing them
// after the send (two allocations and two frees per response). Few and small, so that a burst
// of large answers gives its memory back; per thread, as each ring serves its own connections.
constexpr size_t max_spare_segments = 64;
constexpr size_t max_spare_capacity = 16 * 1024;
thread_local std::list<output_segment> spare_segments;

}  // namespace

std::string& output_queue::buffer() {
    bool back_usable = !segments_.empty() && !segments_.back().file &&
                       segments_.back().record_type == 0 && !(front_busy_ && segments_.size() == 1);
    if (!back_usable) {
        if (spare_segments.empty()) {
            segments_.emplace_back();
        } else {
            segments_.splice(segments_.end(), spare_segments, spare_segments.begin());
        }
    }
    return segments_.back().bytes;
}

void output_queue::push_file(file_range file) {
    output_segment seg;
    seg.file = std::move(file);
    segments_.push_back(std::move(seg));
}

void output_queue::push_record(uint8_t type, std::string content) {
    output_segment seg;
    seg.bytes = std::move(content);
    seg.record_type = type;
    segments_.push_back(std::move(seg));
}

void output_queue::take_all(output_queue& from) {
    segments_.splice(segments_.end(), from.segments_);
    from.front_busy_ = false;
}

bool output_queue::has_file() const {
    for (const auto& s : segments_)
        if (s.file) return true;
    return false;
}

bool output_queue::file_follows_front() const {
    return segments_.size() > 1 && std::next(segments_.begin())->file.has_value();
}

size_t output_queue::pending_bytes() const {
    return std::accumulate(segments_.begin(), segments_.end(), size_t{0},
                           [](size_t n, const output_segment& s) { return n + s.unsent(); });
}

void output_queue::pop_front() {
    output_segment& seg = segments_.front();
    if (spare_segments.size() < max_spare_segments && seg.bytes.capacity() <= max_spare_capacity) {
        seg.clear();
        spare_segments.splice(spare_segments.begin(), segments_, segments_.begin());
    } else {
        segments_.pop_front();
    }
    front_busy_ = false;
}

void output_queue::clear() {
    segments_.clear();
    front_busy_ = false;
}

}  // namespace ringhttpd::io
