#pragma once
// The live status page: one self-contained HTML document (no external assets, so it works on
// an isolated admin network) whose script polls status.json beside it once a second and draws
// requests per second over the last five minutes.

#include <string_view>

namespace ringhttpd::app {

std::string_view status_page_html();

}  // namespace ringhttpd::app
