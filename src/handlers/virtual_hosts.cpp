#include "handlers/virtual_hosts.hpp"

#include <algorithm>
#include <utility>

#include "http/text.hpp"

namespace ringhttpd::handlers {
namespace {

// The host without its port, in lower case: "Example.COM:8080" -> "example.com".
std::string host_name(std::string_view host) {
    if (!host.empty() && host.front() == '[') {
        host = host.substr(0, host.find(']') + 1);  // an IPv6 literal keeps its colons
    } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
        host = host.substr(0, colon);
    }
    std::string name(host);
    http::lowercase_ascii(name);
    if (!name.empty() && name.back() == '.') name.pop_back();  // "example.com." is the same host
    return name;
}

bool is_wildcard(std::string_view name) {
    return name.starts_with("*.");
}

response with_headers(response res, const header_list& headers) {
    for (const auto& header : headers) res.headers.push_back(header);
    return res;
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
    const std::string name = host_name(host);
    for (const site& s : sites_)
        if (answers_on(s, listener))
            for (const std::string& n : s.names)
                if (!is_wildcard(n) && n == name) return s;
    const site* best = &default_site(listener);
    size_t best_length = 0;
    for (const site& s : sites_) {
        if (!answers_on(s, listener)) continue;
        for (const std::string& n : s.names) {
            std::string_view suffix = std::string_view(n).substr(1);  // ".example.com"
            if (is_wildcard(n) && name.ends_with(suffix) && name.size() > suffix.size() &&
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

route_result virtual_hosts::serve(const request& req, const context& ctx) const {
    const place& p = place_for(site_for(req.host, req.listener), req.path);
    if (p.return_status) return with_headers(answer_return(p, req), p.add_headers);
    if (!p.files) return with_headers(response::error(404), p.add_headers);
    route_result result = p.files(req, ctx);
    if (p.add_headers.empty()) return result;
    if (auto* work = std::get_if<blocking_work>(&result)) {
        return blocking_work([work = std::move(*work), headers = p.add_headers](const context& c) {
            return with_headers(work(c), headers);
        });
    }
    return with_headers(std::move(std::get<response>(result)), p.add_headers);
}

}  // namespace ringhttpd::handlers
