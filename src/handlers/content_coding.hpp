#pragma once
// Accept-Encoding negotiation (RFC 9110 §12.5.3) among the codings a file has: q-values,
// "q=0" as "not acceptable", "*" for codings not named, identity acceptable unless excluded.
// Ties go to the smaller coding: br, then gzip, then identity.

#include <optional>
#include <string_view>

namespace ringhttpd::handlers {

enum class coding { identity, gzip, br };

std::string_view coding_name(coding c);  // "", "gzip", "br"

struct available_codings {
    bool br = false;
    bool gzip = false;
};

// The coding to send, from the request's Accept-Encoding (absent: identity only, as a client
// that says nothing may not understand any coding). nullopt when nothing available is
// acceptable (identity excluded and no coding on offer); callers then send identity anyway, as
// nginx does, rather than a 406.
std::optional<coding> choose_coding(std::optional<std::string_view> accept_encoding,
                                    available_codings available);

}  // namespace ringhttpd::handlers
