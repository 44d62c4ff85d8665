#include "handlers/file_cache.hpp"

#include <fcntl.h>

#include <algorithm>

#include "http/ring_counters.hpp"

namespace ringhttpd::handlers {

bool content_budget::try_take(size_t n) {
    size_t used = used_.load(std::memory_order_relaxed);
    do {
        if (n > limit_ - std::min(used, limit_)) return false;
    } while (!used_.compare_exchange_weak(used, used + n, std::memory_order_relaxed));
    return true;
}

namespace {

bool same_file(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
           a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

}  // namespace

file_cache::entry file_cache::find(int root_fd, const std::string& key, std::time_t now_s) {
    std::lock_guard lock(mutex_);
    if (++lookups_ == 4096) {
        lookups_ /= 2;
        hits_ /= 2;
    }
    // Counted per ring for the metrics; lookups run on the ring thread (see the header).
    http::ring_counters& counted = http::this_ring_counters();
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        counted.file_cache_misses.add();
        return nullptr;
    }
    slot& s = it->second;
    if (s.checked_s != now_s) {
        // By path, not by the old descriptor: a file renamed away or replaced must be noticed.
        // Only metadata is compared here; content always comes from an openat2(RESOLVE_BENEATH).
        // A stat of a path just resolved is served from the dentry and inode caches.
        struct stat now {};
        const bool found = fstatat(root_fd, s.file->path.c_str(), &now, 0) == 0;
        if (s.file->exists ? !found || !same_file(now, s.file->st) : found) {
            erase(it);
            counted.file_cache_misses.add();
            return nullptr;
        }
        s.checked_s = now_s;
    }
    recency& list = recency_of(*s.file);
    list.splice(list.begin(), list, s.place);
    s.used = ++clock_;
    ++hits_;
    counted.file_cache_hits.add();
    return s.file;
}

void file_cache::store(const std::string& key, entry file, std::time_t now_s, remake cost) {
    std::lock_guard lock(mutex_);
    // Turned away before looking for an older entry under the key: a thrashing cache then pays
    // one hash lookup per miss, not two (the older entry, if any, is revalidated when found).
    if (!fits(*file) || turn_away(cost)) return;
    if (auto old = entries_.find(key); old != entries_.end()) erase(old);
    if (!make_room_for(*file)) return;
    bytes_ += file->content.size();
    auto it = entries_.emplace(key, slot{std::move(file), now_s, {}, ++clock_}).first;
    recency& list = recency_of(*it->second.file);
    list.push_front(&*it);
    it->second.place = list.begin();
}

size_t file_cache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

size_t file_cache::open_descriptors() const {
    std::lock_guard lock(mutex_);
    return with_fd_.size();
}

bool file_cache::fits(const cached_file& file) const {
    return limits_.entries > 0 && (!file.fd || limits_.descriptors > 0) &&
           file.content.size() <= budget_.limit();
}

bool file_cache::turn_away(remake cost) {
    const bool thrashing = entries_.size() >= limits_.entries && 2 * hits_ < lookups_;
    return thrashing && cost == remake::cheap && ++new_while_thrashing_ % 8 != 0;
}

bool file_cache::make_room_for(const cached_file& file) {
    const size_t size = file.content.size();
    while (!budget_.try_take(size)) {
        if (in_memory_.empty()) return false;  // the other rings' caches hold the budget
        evict_least_recent(in_memory_);
    }
    if (file.fd) {
        while (with_fd_.size() >= limits_.descriptors) evict_least_recent(with_fd_);
    }
    while (entries_.size() >= limits_.entries) {
        // Whichever list's least recent entry was used longer ago.
        const bool memory_older =
            !in_memory_.empty() &&
            (with_fd_.empty() || in_memory_.back()->second.used < with_fd_.back()->second.used);
        evict_least_recent(memory_older ? in_memory_ : with_fd_);
    }
    return true;
}

void file_cache::evict_least_recent(recency& list) {
    erase(entries_.find(list.back()->first));
}

void file_cache::erase(table::iterator it) {
    bytes_ -= it->second.file->content.size();
    budget_.give_back(it->second.file->content.size());
    recency_of(*it->second.file).erase(it->second.place);
    entries_.erase(it);
}

}  // namespace ringhttpd::handlers
