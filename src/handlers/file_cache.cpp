#include "handlers/file_cache.hpp"

#include <fcntl.h>

namespace ringhttpd::handlers {
namespace {

bool same_file(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
           a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

}  // namespace

file_cache::entry file_cache::find(int root_fd, const std::string& key, std::time_t now_s) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    slot& s = it->second;
    if (s.checked_s != now_s) {
        // By path, not by the old descriptor: a file renamed away or replaced must be noticed.
        // Only metadata is compared here; content always comes from an openat2(RESOLVE_BENEATH).
        // A stat of a path just resolved is served from the dentry and inode caches.
        struct stat now {};
        const bool found = fstatat(root_fd, s.file->path.c_str(), &now, 0) == 0;
        if (s.file->exists ? !found || !same_file(now, s.file->st) : found) {
            erase(it);
            return nullptr;
        }
        s.checked_s = now_s;
    }
    return s.file;
}

void file_cache::store(const std::string& key, entry file, std::time_t now_s) {
    std::lock_guard lock(mutex_);
    if (auto old = entries_.find(key); old != entries_.end()) erase(old);
    const size_t size = file->content.size();
    if (size > max_bytes) return;
    while (!entries_.empty() && (entries_.size() >= max_entries || bytes_ + size > max_bytes))
        erase(entries_.begin());  // any entry: hot ones come back on their next request
    bytes_ += size;
    entries_.emplace(key, slot{std::move(file), now_s});
}

void file_cache::erase(std::unordered_map<std::string, slot>::iterator it) {
    bytes_ -= it->second.file->content.size();
    entries_.erase(it);
}

}  // namespace ringhttpd::handlers
