#include "tls/server_names.hpp"

#include <algorithm>

namespace ringhttpd::tls {
namespace {

std::string lowercase(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
}

}  // namespace

void server_names::add(std::string_view name, size_t certificate) {
    const bool wildcard = name.starts_with("*.");
    auto& list = wildcard ? wildcard_ : exact_;
    std::string key(wildcard ? name.substr(1) : name);
    if (std::none_of(list.begin(), list.end(), [&](const entry& e) { return e.name == key; }))
        list.push_back({std::move(key), certificate});
}

std::optional<size_t> server_names::find(std::string_view host) const {
    if (host.ends_with('.')) host.remove_suffix(1);
    const std::string name = lowercase(host);
    for (const entry& e : exact_)
        if (e.name == name) return e.certificate;
    const entry* best = nullptr;
    for (const entry& e : wildcard_)
        if (name.size() > e.name.size() && name.ends_with(e.name) &&
            (!best || e.name.size() > best->name.size()))
            best = &e;
    if (best) return best->certificate;
    return std::nullopt;
}

}  // namespace ringhttpd::tls
