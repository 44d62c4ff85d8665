#include "io/output_queue.hpp"

#include <iterator>
#include <numeric>

namespace ringhttpd::io {

std::string& output_queue::buffer() {
    bool back_usable = !segments_.empty() && !segments_.back().file &&
                       segments_.back().record_type == 0 && !(front_busy_ && segments_.size() == 1);
    if (!back_usable) segments_.emplace_back();
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
    segments_.pop_front();
    front_busy_ = false;
}

void output_queue::clear() {
    segments_.clear();
    front_busy_ = false;
}

}  // namespace ringhttpd::io
