#include "app/config_limits.hpp"

#include <functional>
#include <string_view>

namespace ringhttpd::app {
namespace {

// One key: the option that parses and shows it, and where its value lives in a place's
// settings and in the server's.
struct limit_key {
    const option& o;
    std::function<void(const config& parsed, place_limit_settings& into)> take;
    // Puts the place's value where the option shows it from; false when the place has none.
    std::function<bool(const place_limit_settings& from, config& shown)> give;
};

template <typename T>
limit_key key(std::string_view option_name, std::optional<T> place_limit_settings::*mine,
              T config::*server) {
    return {*find_option(option_name),
            [=](const config& parsed, place_limit_settings& into) { into.*mine = parsed.*server; },
            [=](const place_limit_settings& from, config& shown) {
                if (!(from.*mine)) return false;
                shown.*server = *(from.*mine);
                return true;
            }};
}

const std::vector<limit_key>& limit_keys() {
    using p = place_limit_settings;
    static const std::vector<limit_key> keys{
        key("client-max-body-size", &p::client_max_body_size, &config::client_max_body_size),
        key("limit-req", &p::limit_req_rate, &config::limit_req_rate),
        key("limit-req-burst", &p::limit_req_burst, &config::limit_req_burst),
        key("limit-req-status", &p::limit_req_status, &config::limit_req_status),
        key("limit-conn", &p::limit_conn, &config::limit_conn),
    };
    return keys;
}

}  // namespace

const std::vector<std::string>& place_limit_keys() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const limit_key& k : limit_keys()) out.push_back(config_key(k.o.name));
        return out;
    }();
    return names;
}

bool read_place_limit(const toml_reader& reader, const toml::key& key, const toml::node& value,
                      place_limit_settings& into) {
    for (const limit_key& k : limit_keys()) {
        if (config_key(k.o.name) != key.str()) continue;
        cli_options parsed;
        reader.apply_option(k.o, key, value, parsed);
        k.take(parsed.cfg, into);
        return true;
    }
    return false;
}

void check_place_limits(const toml_reader& reader, const toml::table& table,
                        const place_limit_settings& limits) {
    if (limits.limit_req_rate) return;
    for (const char* name : {"limit_req_burst", "limit_req_status"})
        if (const toml::node* value = table.get(name))
            reader.fail(value->source(), std::string(name) +
                                             " goes with limit_req in the same table: add "
                                             "limit_req = \"10r/s\" beside it");
}

std::string place_limits_toml(const place_limit_settings& limits) {
    std::string out;
    for (const limit_key& k : limit_keys()) {
        cli_options shown;
        if (k.give(limits, shown.cfg)) out += toml_line(k.o, shown);
    }
    return out;
}

}  // namespace ringhttpd::app
