#include "app/api.hpp"

#include <time.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

namespace ringhttpd::app {
namespace {

using nlohmann::json;

// Deeper documents are echoed as a string: nlohmann's serialiser recurses once per level, and
// a 1 MiB body of '[' must not be able to exhaust the ring thread's stack.
constexpr size_t max_echo_depth = 256;

// Invalid UTF-8 from the client becomes U+FFFD instead of an exception: output is always JSON.
std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string greeting(std::string_view name) {
    return dump(json{{"message", "Hello, " + std::string(name) + "!"}});
}

response hello(const request& req) {
    const std::optional<std::string> name = req.query_param("name");
    if (name && !name->empty()) return response::json(200, greeting(*name));
    // Nearly every call is this one, always the same bytes: made once and shared, instead of a
    // JSON document built and serialised per request (a third of the request's instructions).
    static const auto world = std::make_shared<const std::string>(greeting("World"));
    response res = response::json(200, {});
    res.body = world;
    return res;
}

response time_now(const request&) {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return response::json(200,
                          dump(json{{"time", iso8601_local(now.tv_sec, now.tv_nsec / 1'000'000)}}));
}

response echo(const request& req) {
    return response::json(200, echo_json(req.body));
}

response hello_name(const request& req) {
    return response::text(200, "Hello, " + std::string(req.param("name").value_or("")));
}

}  // namespace

std::string iso8601_local(std::time_t seconds, long milliseconds) {
    std::tm tm{};
    localtime_r(&seconds, &tm);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    int offset_min = int(tm.tm_gmtoff / 60);
    char sign = offset_min < 0 ? '-' : '+';
    if (offset_min < 0) offset_min = -offset_min;
    char out[64];
    std::snprintf(out, sizeof out, "%s.%03d%c%02d:%02d", date, int(milliseconds % 1000), sign,
                  offset_min / 60, offset_min % 60);
    return out;
}

size_t json_nesting_depth(std::string_view text) {
    size_t depth = 0, deepest = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

std::string echo_json(std::string_view body) {
    json parsed = json::value_t::discarded;
    if (json_nesting_depth(body) <= max_echo_depth)
        parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return dump(json{{"echo", std::string(body)}});
    return dump(json{{"echo", std::move(parsed)}});
}

void add_builtin_routes(router& routes) {
    routes.add("GET", "/api/hello", hello);
    routes.add("GET", "/api/time", time_now);
    routes.add("POST", "/api/echo", echo);
    routes.add("GET", "/hello/{name}", hello_name);
}

}  // namespace ringhttpd::app
