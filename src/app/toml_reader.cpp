#include "app/toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "app/config_file.hpp"
#include "app/did_you_mean.hpp"
#include "http/text.hpp"

namespace ringhttpd::app {
namespace {

// The value as the option's parser reads it on the command line ("on", "1m", "8080"), or
// nullopt when its TOML type cannot be one.
std::optional<std::string> as_text(const toml::node& value) {
    if (auto* s = value.as_string()) return s->get();
    if (auto* n = value.as_integer()) return std::to_string(n->get());
    if (auto* b = value.as_boolean()) return std::string(b->get() ? "on" : "off");
    if (auto* list = value.as_array(); list && list->is_homogeneous(toml::node_type::string)) {
        std::string joined;  // a list is what the command line writes with commas
        for (const toml::node& item : *list)
            joined += (joined.empty() ? "" : ",") + item.as_string()->get();
        return list->empty() ? "off" : joined;
    }
    return std::nullopt;
}

std::string_view type_name(toml::node_type type) {
    switch (type) {
        case toml::node_type::table:
            return "table";
        case toml::node_type::array:
            return "list";
        case toml::node_type::floating_point:
            return "decimal number";
        case toml::node_type::integer:
            return "number";
        case toml::node_type::boolean:
            return "boolean";
        case toml::node_type::string:
            return "string";
        default:
            return "date or time";
    }
}

bool is_token(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), http::is_tchar);
}

}  // namespace

void toml_reader::fail(const toml::source_region& at, const std::string& message) const {
    throw config_error(source_ + ":" + std::to_string(at.begin.line) + ":" +
                       std::to_string(at.begin.column) + ": " + message);
}

void toml_reader::unknown_key(const toml::key& key, std::span<const std::string> known) const {
    std::vector<std::string_view> candidates(known.begin(), known.end());
    fail(key.source(), "unknown key '" + std::string(key.str()) + "'" +
                           did_you_mean(key.str(), candidates) +
                           "; every key is listed in docs/configuration.md");
}

const option* toml_reader::option_for(std::string_view key) {
    if (key.find('-') != std::string_view::npos) return nullptr;  // the flags' spelling
    std::string flag(key);
    std::replace(flag.begin(), flag.end(), '_', '-');
    return find_option(flag);
}

void toml_reader::apply_option(const option& o, const toml::key& key, const toml::node& value,
                               cli_options& into) const {
    const std::string name(key.str());
    auto setting = as_text(value);
    if (!setting)
        fail(value.source(),
             name + ": expected " +
                 (is_boolean(o) ? "true or false"
                                : "a string or a whole number, like " + quoted(default_text(o))) +
                 ", got a " + std::string(type_name(value.type())));
    try {
        o.value.parse(*setting, into);
    } catch (const std::invalid_argument& e) {
        fail(value.source(), name + ": " + e.what());
    }
}

std::string toml_reader::string_of(const toml::key& key, const toml::node& value) const {
    if (auto* s = value.as_string()) return s->get();
    fail(value.source(), std::string(key.str()) + ": expected a string, got a " +
                             std::string(type_name(value.type())));
}

std::vector<std::string> toml_reader::strings_of(const toml::key& key,
                                                 const toml::node& value) const {
    if (auto* s = value.as_string()) return {s->get()};
    std::vector<std::string> out;
    if (auto* list = value.as_array()) {
        for (const toml::node& item : *list) out.push_back(string_of(key, item));
        return out;
    }
    fail(value.source(), std::string(key.str()) +
                             ": expected a string or a list of strings, got a " +
                             std::string(type_name(value.type())));
}

header_list toml_reader::headers_of(const toml::key& key, const toml::node& value) const {
    auto* table = value.as_table();
    if (!table)
        fail(value.source(), std::string(key.str()) +
                                 ": expected a table of headers, like { \"X-Frame-Options\" = "
                                 "\"DENY\" }, got a " +
                                 std::string(type_name(value.type())));
    header_list headers;
    for (const auto& [name, header_value] : *table) {
        if (!is_token(name.str()))
            fail(name.source(), std::string(key.str()) + ": '" + std::string(name.str()) +
                                    "' is not a header name (letters, digits and !#$%&'*+-.^_`|~)");
        std::string text = string_of(name, header_value);
        if (text.find_first_of("\r\n") != std::string::npos || text.find('\0') != std::string::npos)
            fail(header_value.source(), std::string(key.str()) + ": the value of " +
                                            std::string(name.str()) +
                                            " must not hold CR, LF or NUL");
        headers.emplace_back(name.str(), std::move(text));
    }
    return headers;
}

const toml::array& toml_reader::tables_of(const toml::key& key, const toml::node& value) const {
    auto* list = value.as_array();
    if (!list || !list->is_array_of_tables())
        fail(value.source(),
             std::string(key.str()) + ": expected [[" + std::string(key.str()) + "]] tables");
    return *list;
}

std::vector<std::string> table_keys(std::vector<std::string> own, std::optional<scope> only) {
    for (const option& o : option_table())
        if (!only || o.where == *only) own.push_back(config_key(o.name));
    return own;
}

std::string quoted(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            out += fmt::format("\\u{:04X}", static_cast<unsigned char>(c));
        } else {
            out += c;
        }
    }
    return out + '"';
}

bool is_boolean(const option& o) {
    return o.value.placeholder.empty() || o.value.placeholder == "on|off";
}

std::string toml_line(const option& o, const cli_options& from) {
    const std::string key = config_key(o.name);
    const std::string shown = o.value.show(from);
    cli_options check;
    try {
        o.value.parse(shown, check);
    } catch (const std::invalid_argument&) {
        return "# " + key + ": " + shown + "\n";
    }
    if (is_boolean(o)) return key + " = " + (shown == "on" ? "true" : "false") + "\n";
    if (!shown.empty() && std::all_of(shown.begin(), shown.end(), ::isdigit))
        return key + " = " + shown + "\n";
    if (o.value.placeholder.ends_with(",...") && shown != "off") {
        // A list reads back best as one: listen = ["0.0.0.0:8080", "[::]:8080"].
        std::string list;
        for (size_t start = 0; start <= shown.size();) {
            const size_t comma = std::min(shown.find(',', start), shown.size());
            list += (list.empty() ? "" : ", ") + quoted(shown.substr(start, comma - start));
            start = comma + 1;
        }
        return key + " = [" + list + "]\n";
    }
    return key + " = " + quoted(shown) + "\n";
}

std::string toml_headers(std::string_view name, const header_list& headers) {
    if (headers.empty()) return "";
    std::string out = std::string(name) + " = { ";
    for (size_t i = 0; i < headers.size(); ++i)
        out += (i ? ", " : "") + quoted(headers[i].first) + " = " + quoted(headers[i].second);
    return out + " }\n";
}

}  // namespace ringhttpd::app
