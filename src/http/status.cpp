#include "http/status.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace ringhttpd::http {
namespace {

constexpr std::array<std::pair<int, std::string_view>, 42> table{{
    {100, "Continue"},
    {101, "Switching Protocols"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {204, "No Content"},
    {206, "Partial Content"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {421, "Misdirected Request"},
    {422, "Unprocessable Content"},
    {426, "Upgrade Required"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
    {507, "Insufficient Storage"},
}};

static_assert(std::is_sorted(table.begin(), table.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; }));

}  // namespace

std::string_view reason_phrase(int status) {
    auto it = std::lower_bound(table.begin(), table.end(), status,
                               [](const auto& entry, int code) { return entry.first < code; });
    return (it != table.end() && it->first == status) ? it->second : "Unknown";
}

std::string_view status_line(int status) {
    // Built once and indexed by code: a response's first line is then one lookup, not a number
    // formatted and a phrase searched.
    static const auto lines = [] {
        std::array<std::string, 500> out;  // codes 100 to 599
        for (const auto& [code, phrase] : table)
            out[size_t(code - 100)] =
                "HTTP/1.1 " + std::to_string(code) + " " + std::string(phrase);
        return out;
    }();
    if (status < 100 || status > 599) return {};
    return lines[size_t(status - 100)];
}

bool status_has_no_body(int status) {
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

}  // namespace ringhttpd::http
