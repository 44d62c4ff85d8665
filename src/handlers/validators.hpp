#pragma once
// Validators and conditional requests (RFC 9110 §8.8, §13): nginx-style ETags, and the order in
// which If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since and If-Range are
// evaluated.

#include <sys/stat.h>

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "ringhttpd/request.hpp"
#include "ringhttpd/response.hpp"

namespace ringhttpd::handlers {

// nginx's form: "<hex mtime>-<hex size>", with "-<coding>" appended for a representation made
// on the fly (a precompressed file has its own mtime and size, hence its own ETag already).
std::string make_etag(const struct stat& st, std::string_view coding_suffix = "");

// Whether `etag` is in `list` (an If-Match/If-None-Match value: "*" or comma-separated tags).
// Weak comparison ignores W/ prefixes; strong comparison never matches a weak tag.
bool etag_list_matches(std::string_view list, std::string_view etag, bool weak);

enum class precondition { proceed, not_modified, failed };

// RFC 9110 §13.2.2 steps 1-4 for a representation with these validators.
precondition evaluate_preconditions(const request& req, std::string_view etag,
                                    std::time_t last_modified);

// For the answer of a route handler (not a file) to GET or HEAD: If-Match and If-None-Match
// against the ETag the handler sent, as nginx's not-modified filter treats any response
// (RFC 9110 §13.1.1, §13.1.2). A 200 whose tag fails If-Match becomes 412 (a 200 without an
// ETag fails any list of tags), one whose tag matches If-None-Match becomes 304 with the same
// headers and no body. Other statuses pass unchanged. Methods that change state are the
// handler's to guard: by the time its answer is here, it has acted.
response apply_etag_preconditions(response res, std::optional<std::string_view> if_match,
                                  std::optional<std::string_view> if_none_match);

// If-Range (§13.1.5): true when the Range header may be used, i.e. If-Range is absent or
// matches: an entity-tag by strong comparison, a date by being exactly Last-Modified.
bool if_range_allows(const request& req, std::string_view etag, std::time_t last_modified);

}  // namespace ringhttpd::handlers
