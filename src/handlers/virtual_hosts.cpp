#include "handlers/virtual_hosts.hpp"

#include <algorithm>
#include <utility>

#include "http/text.hpp"

namespace ringhttpd::handlers {
namespace {

// The host without its port: "Example.COM:8080" -> "Example.COM". Compared without regard to
// case (names are kept in lower case), so choosing a site allocates nothing.
std::string_view host_name(std::string_view host) {
    if (!host.empty() && host.front() == '[') {
        host = host.substr(0, host.find(']') + 1);  // an IPv6 literal keeps its colons
    } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
        host = host.substr(0, colon);
    }
    if (host.ends_with('.')) host.remove_suffix(1);  // "example.com." is the same host
    return host;
}

bool is_wildcard(std::string_view name) {
    return name.starts_with("*.");
}

// An answer from place `p`: with its headers, and logged as it says.
response answered_at(response res, const header_list& headers, bool access_log) {
    for (const auto& header : headers) res.headers.push_back(header);
    res.access_log = access_log;
    return res;
}

bool sets_body_limit(const site& s) {
    if (s.action.max_body_size) return true;
    for (const location& l : s.locations)
        if (l.action.max_body_size) return true;
    return false;
}

response answer_return(const place& p, const request& req) {
    const int status = *p.return_status;
    const std::string text = expand_variables(p.return_text, req);
    if (status >= 300 && status < 400 && !text.empty()) {
        response res = response::error(status);
        res.headers.emplace_back("Location", text);
        return res;
    }
    if (text.empty()) return response::error(status);
    return response::text(status, text + "\n");
}

route_result answer(const place& p, request& req, const context& ctx) {
    if (p.return_status) return answer_return(p, req);
    if (p.routes) return p.routes->dispatch(req, ctx);
    if (req.method != http_method::get && req.method != http_method::head)
        return response::not_allowed("GET, HEAD");
    if (!p.files) return response::error(404);
    return p.files(req, ctx);
}

}  // namespace

std::string expand_variables(std::string_view text, const request& req) {
    static constexpr std::pair<std::string_view, std::string request::*> variables[] = {
        {"$request_uri", &request::target},
        {"$uri", &request::path},
        {"$args", &request::query},
        {"$host", &request::host},
    };
    std::string out;
    for (size_t i = 0; i < text.size();) {
        bool replaced = false;
        if (text[i] == '$') {
            for (const auto& [name, field] : variables) {
                if (text.substr(i).starts_with(name)) {
                    out += req.*field;
                    i += name.size();
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out += text[i++];
    }
    return out;
}

virtual_hosts::virtual_hosts(std::vector<site> sites, site fallback)
    : sites_(std::move(sites)), fallback_(std::move(fallback)) {
    has_body_limits_ = sets_body_limit(fallback_);
    for (const site& s : sites_) has_body_limits_ = has_body_limits_ || sets_body_limit(s);
    verifies_clients_ = fallback_.verifies_clients;
    for (const site& s : sites_) verifies_clients_ = verifies_clients_ || s.verifies_clients;
    by_listener_ =
        std::any_of(sites_.begin(), sites_.end(), [](const site& s) { return !s.listen.empty(); });
}

bool virtual_hosts::answers_on(const site& s, std::string_view listener) const {
    if (!by_listener_) return true;
    const std::vector<std::string>& own = s.listen.empty() ? fallback_.listen : s.listen;
    return std::find(own.begin(), own.end(), listener) != own.end();
}

const site& virtual_hosts::default_site(std::string_view listener) const {
    if (answers_on(fallback_, listener)) return fallback_;
    for (const site& s : sites_)
        if (answers_on(s, listener)) return s;
    return fallback_;
}

const site& virtual_hosts::site_for(std::string_view host, std::string_view listener) const {
    const std::string_view name = host_name(host);
    for (const site& s : sites_)
        if (answers_on(s, listener))
            for (const std::string& n : s.names)
                if (!is_wildcard(n) && http::iequals(n, name)) return s;
    const site* best = &default_site(listener);
    size_t best_length = 0;
    for (const site& s : sites_) {
        if (!answers_on(s, listener)) continue;
        for (const std::string& n : s.names) {
            std::string_view suffix = std::string_view(n).substr(1);  // ".example.com"
            if (is_wildcard(n) && name.size() > suffix.size() &&
                http::iequals(name.substr(name.size() - suffix.size()), suffix) &&
                suffix.size() > best_length) {
                best = &s;
                best_length = suffix.size();
            }
        }
    }
    return *best;
}

const place& virtual_hosts::place_for(const site& s, std::string_view path) const {
    const location* best = nullptr;
    for (const location& l : s.locations) {
        if (l.exact) {
            if (l.path == path) return l.action;
        } else if (path.starts_with(l.path) && (!best || l.path.size() > best->path.size())) {
            best = &l;
        }
    }
    return best ? best->action : s.action;
}

std::optional<uint64_t> virtual_hosts::body_limit(const request& head) const {
    if (!has_body_limits_) return std::nullopt;
    return place_for(site_for(head.host, head.listener), head.path).max_body_size;
}

bool virtual_hosts::misdirected(const site& by_host, const request& req) const {
    if (!verifies_clients_ || !req.tls) return false;
    const site& by_name = site_for(req.tls->server_name, req.listener);
    return &by_name != &by_host && (by_host.verifies_clients || by_name.verifies_clients);
}

route_result virtual_hosts::dispatch(request& req, const context& ctx) const {
    const site& s = site_for(req.host, req.listener);
    if (misdirected(s, req)) return response::error(421);
    const place& p = place_for(s, req.path);
    const header_list& headers = req.tls ? p.tls_add_headers : p.add_headers;
    in_flight_hold hold;
    if (auto refusal = admit(p.limits, req, hold))
        return answered_at(std::move(*refusal), headers, p.access_log);
    route_result result = answer(p, req, ctx);
    if (auto* work = std::get_if<blocking_work>(&result)) {
        if (headers.empty() && p.access_log && !hold) return result;
        return http::held_until_answered(
            [work = std::move(*work), headers, log = p.access_log](const context& c) {
                return answered_at(work(c), headers, log);
            },
            std::move(hold));
    }
    return answered_at(std::move(std::get<response>(result)), headers, p.access_log);
}

}  // namespace ringhttpd::handlers
