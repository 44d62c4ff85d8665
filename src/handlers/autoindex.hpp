#pragma once
// Directory listings for --autoindex, like nginx's autoindex: names HTML-escaped, links
// percent-encoded, directories first with a trailing slash, hidden (dot) files left out, and
// never a filesystem path — only the URL path the client asked for.

#include <string>
#include <string_view>

namespace ringhttpd::handlers {

// The HTML page listing the directory open as `dir_fd` (the descriptor is not consumed), shown
// as `url_path` (decoded, starting and ending with '/'). Entries that cannot be read are left out.
std::string directory_listing(int dir_fd, std::string_view url_path);

std::string html_escape(std::string_view text);

}  // namespace ringhttpd::handlers
