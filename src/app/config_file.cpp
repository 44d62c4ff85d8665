#include "app/config_file.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "app/cli.hpp"
#include "app/did_you_mean.hpp"

namespace ringhttpd::app {
namespace {

std::string position(const std::string& source, const toml::source_region& where) {
    return source + ":" + std::to_string(where.begin.line) + ":" +
           std::to_string(where.begin.column) + ": ";
}

// A switch or an on|off setting: written as a TOML boolean.
bool is_boolean(const option& o) {
    return o.value.placeholder.empty() || o.value.placeholder == "on|off";
}

// The value as the option's parser reads it on the command line ("on", "1m", "8080"), or
// nullopt when its TOML type cannot be one.
std::optional<std::string> as_text(const toml::node& value) {
    if (auto* s = value.as_string()) return s->get();
    if (auto* n = value.as_integer()) return std::to_string(n->get());
    if (auto* b = value.as_boolean()) return std::string(b->get() ? "on" : "off");
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
        case toml::node_type::date:
        case toml::node_type::time:
        case toml::node_type::date_time:
            return "date or time";
        default:
            return "value of another type";
    }
}

std::string unknown_key(std::string_view key) {
    std::vector<std::string> keys;
    for (const option& o : option_table()) keys.push_back(config_key(o.name));
    std::vector<std::string_view> candidates(keys.begin(), keys.end());
    std::string message = "unknown key '" + std::string(key) + "'";
    if (std::string_view near = closest_name(key, candidates); !near.empty())
        message += " (did you mean " + std::string(near) + "?)";
    return message + "; every key is listed in docs/configuration.md";
}

// A TOML basic string: the text in double quotes, with quotes, backslashes and control
// characters escaped.
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

}  // namespace

void apply_config_text(std::string_view text, const std::string& source, cli_options& into) {
    toml::table file;
    try {
        file = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        throw config_error(position(source, e.source()) + std::string(e.description()));
    }
    cli_options result = into;  // all or nothing
    for (const auto& [key, value] : file) {
        const std::string name(key.str());
        std::string flag = name;
        std::replace(flag.begin(), flag.end(), '_', '-');
        const option* o = name.find('-') == std::string::npos ? find_option(flag) : nullptr;
        if (o == nullptr) throw config_error(position(source, key.source()) + unknown_key(name));
        auto setting = as_text(value);
        if (!setting)
            throw config_error(
                position(source, value.source()) + name + ": expected " +
                (is_boolean(*o) ? "true or false"
                                : "a string or a whole number, like " + quoted(default_text(*o))) +
                ", got a " + std::string(type_name(value.type())));
        try {
            o->value.parse(*setting, result);
        } catch (const std::invalid_argument& e) {
            throw config_error(position(source, value.source()) + name + ": " + e.what());
        }
    }
    into = std::move(result);
}

void apply_config_file(const std::string& path, cli_options& into) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error(path + ": cannot read the configuration file: " + strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    apply_config_text(text.str(), path, into);
}

cli_options load_settings(const std::vector<std::string>& args) {
    cli_options options = parse_cli(args);
    if (options.config_file.empty()) return options;
    cli_options from_file;
    apply_config_file(options.config_file, from_file);
    return parse_cli(args, std::move(from_file));
}

std::string effective_config(const cli_options& options) {
    std::string out =
        "# The effective configuration (ringhttpd -T): defaults, then the file, then flags.\n";
    std::optional<scope> current;
    for (const option& o : option_table()) {
        if (o.where != current) {
            out.append("\n# ").append(scope_title(o.where)).append("\n");
            current = o.where;
        }
        const std::string key = config_key(o.name);
        const std::string shown = o.value.show(options);
        cli_options check;
        try {
            o.value.parse(shown, check);
        } catch (const std::invalid_argument&) {
            // Worked out at run time ("CPUs this process may use"): no value to write.
            out.append("# ").append(key).append(": ").append(shown).append("\n");
            continue;
        }
        out.append(key).append(" = ");
        if (is_boolean(o))
            out.append(shown == "on" ? "true" : "false");
        else if (!shown.empty() && std::all_of(shown.begin(), shown.end(), ::isdigit))
            out.append(shown);
        else
            out.append(quoted(shown));
        out.append("\n");
    }
    return out;
}

}  // namespace ringhttpd::app
