#include "handlers/validators.hpp"

#include <fmt/format.h>

#include "http/date_parse.hpp"
#include "http/text.hpp"

namespace ringhttpd::handlers {
namespace {

bool is_weak(std::string_view tag) {
    return tag.substr(0, 2) == "W/";
}

std::string_view opaque(std::string_view tag) {
    return is_weak(tag) ? tag.substr(2) : tag;
}

}  // namespace

std::string make_etag(const struct stat& st, std::string_view coding_suffix) {
    if (coding_suffix.empty())
        return fmt::format("\"{:x}-{:x}\"", uint64_t(st.st_mtim.tv_sec), uint64_t(st.st_size));
    return fmt::format("\"{:x}-{:x}-{}\"", uint64_t(st.st_mtim.tv_sec), uint64_t(st.st_size),
                       coding_suffix);
}

bool etag_list_matches(std::string_view list, std::string_view etag, bool weak) {
    list = http::trim_ows(list);
    if (list == "*") return true;
    while (!list.empty()) {
        // Entity-tags may contain commas only inside quotes: split outside them.
        size_t end = 0;
        bool quoted = false;
        for (; end < list.size(); ++end) {
            if (list[end] == '"') quoted = !quoted;
            if (list[end] == ',' && !quoted) break;
        }
        std::string_view tag = http::trim_ows(list.substr(0, end));
        list = end < list.size() ? list.substr(end + 1) : std::string_view{};
        if (tag.empty()) continue;
        if (weak ? opaque(tag) == opaque(etag) : !is_weak(tag) && !is_weak(etag) && tag == etag)
            return true;
    }
    return false;
}

precondition evaluate_preconditions(const request& req, std::string_view etag,
                                    std::time_t last_modified) {
    const bool get_or_head = req.method == http_method::get || req.method == http_method::head;
    if (auto if_match = req.header("If-Match")) {
        if (!etag_list_matches(*if_match, etag, false)) return precondition::failed;
    } else if (auto since = req.header("If-Unmodified-Since")) {
        auto date = http::parse_http_date(http::trim_ows(*since));  // an invalid date is ignored
        if (date && last_modified > *date) return precondition::failed;
    }
    if (auto if_none_match = req.header("If-None-Match")) {
        if (etag_list_matches(*if_none_match, etag, true))
            return get_or_head ? precondition::not_modified : precondition::failed;
    } else if (auto since = req.header("If-Modified-Since"); since && get_or_head) {
        auto date = http::parse_http_date(http::trim_ows(*since));
        if (date && last_modified <= *date) return precondition::not_modified;
    }
    return precondition::proceed;
}

bool if_range_allows(const request& req, std::string_view etag, std::time_t last_modified) {
    auto if_range = req.header("If-Range");
    if (!if_range) return true;
    std::string_view value = http::trim_ows(*if_range);
    if (!value.empty() && (value.front() == '"' || is_weak(value)))
        return !is_weak(value) && value == etag;
    auto date = http::parse_http_date(value);
    return date && *date == last_modified;
}

response apply_etag_preconditions(response res, std::optional<std::string_view> if_match,
                                  std::optional<std::string_view> if_none_match) {
    // Prebuilt fields come only from a handler that evaluated both against the ETag in them
    // (the static files), so they would pass here unchanged.
    if (res.status != 200 || (!if_match && !if_none_match) || res.prebuilt_fields) return res;
    std::string_view etag;  // empty: the handler sent none, and no listed tag can match
    for (const auto& [name, value] : res.headers)
        if (http::iequals(name, "ETag")) etag = value;
    if (if_match && !etag_list_matches(*if_match, etag, false)) {
        response failed = response::error(412);
        if (!etag.empty()) failed.headers.emplace_back("ETag", std::string(etag));
        return failed;
    }
    if (if_none_match && etag_list_matches(*if_none_match, etag, true)) {
        response not_modified;
        not_modified.status = 304;  // the 200's headers, no body and no type
        not_modified.headers = std::move(res.headers);
        return not_modified;
    }
    return res;
}

}  // namespace ringhttpd::handlers
