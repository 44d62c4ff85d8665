#include "handlers/autoindex.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <vector>

#include <fmt/format.h>

#include "http/url.hpp"

namespace ringhttpd::handlers {
namespace {

struct listed {
    std::string name;
    bool directory = false;
    off_t size = 0;
    std::time_t mtime = 0;
};

std::vector<listed> read_entries(int dir_fd) {
    std::vector<listed> entries;
    // fdopendir takes ownership of its descriptor: give it a duplicate.
    int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return entries;
    DIR* dir = fdopendir(fd);
    if (!dir) {
        ::close(fd);
        return entries;
    }
    rewinddir(dir);
    while (dirent* entry = readdir(dir)) {
        std::string_view name = entry->d_name;
        if (name.empty() || name.front() == '.') continue;  // ".", "..", hidden files
        struct stat st {};
        if (fstatat(dirfd(dir), entry->d_name, &st, 0) != 0) continue;  // e.g. a broken link
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) continue;
        entries.push_back({std::string(name), S_ISDIR(st.st_mode), st.st_size, st.st_mtime});
    }
    closedir(dir);
    return entries;
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string directory_listing(int dir_fd, std::string_view url_path) {
    std::vector<listed> entries = read_entries(dir_fd);
    std::sort(entries.begin(), entries.end(), [](const listed& a, const listed& b) {
        return a.directory != b.directory ? a.directory : a.name < b.name;
    });
    const std::string title = "Index of " + html_escape(url_path);
    std::string page = "<!doctype html>\n<html>\n<head><meta charset=\"utf-8\"><title>" + title +
                       "</title></head>\n<body>\n<h1>" + title + "</h1>\n<hr>\n<pre>\n";
    if (url_path != "/") page += "<a href=\"../\">../</a>\n";
    for (const listed& e : entries) {
        const std::string shown = e.name + (e.directory ? "/" : "");
        // Relative links: the name alone, percent-encoded (so "?", "#", ":" cannot change what
        // the link means), then HTML-escaped for the attribute.
        std::string href = http::percent_encode_path(e.name) + (e.directory ? "/" : "");
        char when[32];
        std::tm tm{};
        gmtime_r(&e.mtime, &tm);
        std::strftime(when, sizeof when, "%d-%b-%Y %H:%M", &tm);
        const size_t pad = shown.size() < 50 ? 51 - shown.size() : 1;
        page += fmt::format("<a href=\"{}\">{}</a>{}{} {:>20}\n", html_escape(href),
                            html_escape(shown), std::string(pad, ' '), when,
                            e.directory ? std::string("-") : std::to_string(e.size));
    }
    page += "</pre>\n<hr>\n</body>\n</html>\n";
    return page;
}

}  // namespace ringhttpd::handlers
