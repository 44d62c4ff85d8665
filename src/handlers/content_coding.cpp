#include "handlers/content_coding.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <string>

#include "http/text.hpp"

namespace ringhttpd::handlers {
namespace {

// "q=0.5" -> 0.5; a missing or malformed weight counts as 1 (the default) or 0 (malformed).
double parse_quality(std::string_view params) {
    double q = 1.0;
    while (!params.empty()) {
        size_t semi = params.find(';');
        std::string_view param = http::trim_ows(params.substr(0, semi));
        params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
        if (param.size() < 2 || (param[0] | 0x20) != 'q' || param[1] != '=') continue;
        std::string value(http::trim_ows(param.substr(2)));
        char* end = nullptr;
        q = std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0' || q < 0 || q > 1) q = 0;  // malformed: not acceptable
    }
    return q;
}

struct qualities {
    double br = -1, gzip = -1, identity = -1, any = -1;  // -1: not named
};

qualities parse(std::string_view header) {
    qualities q;
    while (!header.empty()) {
        size_t comma = header.find(',');
        std::string_view item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        size_t semi = item.find(';');
        std::string_view name = http::trim_ows(item.substr(0, semi));
        double weight = parse_quality(semi == std::string_view::npos ? std::string_view{}
                                                                     : item.substr(semi + 1));
        double* slot = http::iequals(name, "br")                                      ? &q.br
                       : http::iequals(name, "gzip") || http::iequals(name, "x-gzip") ? &q.gzip
                       : http::iequals(name, "identity")                              ? &q.identity
                       : name == "*"                                                  ? &q.any
                                                                                      : nullptr;
        if (slot) *slot = std::max(*slot, weight);
    }
    return q;
}

double effective(double named, double any, double unnamed_default) {
    if (named >= 0) return named;
    return any >= 0 ? any : unnamed_default;
}

}  // namespace

std::string_view coding_name(coding c) {
    switch (c) {
        case coding::br:
            return "br";
        case coding::gzip:
            return "gzip";
        default:
            return "";
    }
}

std::optional<coding> choose_coding(std::optional<std::string_view> accept_encoding,
                                    available_codings available) {
    if (!accept_encoding) return coding::identity;
    const qualities q = parse(*accept_encoding);
    // identity is acceptable unless excluded, but when not named it ranks below every coding the
    // client lists: naming gzip says "I would rather have it compressed".
    const double identity = effective(q.identity, q.any, 0.001);
    const double br = available.br ? effective(q.br, q.any, 0) : 0;
    const double gzip = available.gzip ? effective(q.gzip, q.any, 0) : 0;
    if (br > 0 && br >= gzip && br >= identity) return coding::br;
    if (gzip > 0 && gzip >= identity) return coding::gzip;
    if (identity > 0) return coding::identity;
    return std::nullopt;
}

}  // namespace ringhttpd::handlers
