#pragma once
// Small files kept in memory, one cache per thread (so per ring, and never locked): a hot 1 KB
// page is served without a single syscall. Each entry is revalidated by path at most once a
// second (device, inode, size and mtime), so a file changed, replaced or deleted is never served
// stale for more than a second. Bounded in entries and, through the size limit on what is
// cached, in bytes.

#include <sys/stat.h>

#include <ctime>
#include <string>
#include <unordered_map>

namespace ringhttpd::handlers {

class file_cache {
  public:
    struct file {
        std::string content;
        std::string content_type;
        std::string path;  // relative to the root, as opened (a directory's index included)
        struct stat st {};
        std::time_t checked_s = 0;  // last revalidation
    };

    static constexpr size_t max_entries = 512;
    static constexpr off_t max_file_size = 16 * 1024;

    // The cached file for `key` (a normalised request path), or nullptr when it is not cached
    // or no longer matches the file under `root_fd` (then it is dropped).
    const file* find(int root_fd, const std::string& key, std::time_t now_s);
    void store(const std::string& key, file f);

  private:
    std::unordered_map<std::string, file> entries_;
};

}  // namespace ringhttpd::handlers
