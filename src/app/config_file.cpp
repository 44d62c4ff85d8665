#include "app/config_file.hpp"

#include <toml++/toml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "app/cli.hpp"
#include "app/config_sites.hpp"
#include "app/toml_reader.hpp"

namespace ringhttpd::app {
namespace {

// Every key the top level may hold: each option, and the tables.
const std::vector<std::string>& top_level_keys() {
    static const auto keys = table_keys({"site", "location", "add_header"});
    return keys;
}

}  // namespace

void apply_config_text(std::string_view text, const std::string& source, cli_options& into) {
    const toml_reader reader(source);
    toml::table file;
    try {
        file = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        reader.fail(e.source(), std::string(e.description()));
    }
    cli_options result = into;  // all or nothing
    // Tables last: a site inherits the top level's settings, whatever their order in the file.
    const toml::array* sites = nullptr;
    const toml::array* locations = nullptr;
    for (const auto& [key, value] : file) {
        if (key == "site") {
            sites = &reader.tables_of(key, value);
        } else if (key == "location") {
            locations = &reader.tables_of(key, value);
        } else if (key == "add_header") {
            result.add_headers = reader.headers_of(key, value);
        } else if (const option* o = toml_reader::option_for(key.str())) {
            reader.apply_option(*o, key, value, result);
        } else {
            reader.unknown_key(key, top_level_keys());
        }
    }
    if (locations)
        for (const toml::node& location : *locations)
            result.locations.push_back(
                read_location(reader, *location.as_table(), result.root, result.files));
    if (sites)
        for (const toml::node& site : *sites)
            result.sites.push_back(read_site(reader, *site.as_table(), result));
    into = std::move(result);
}

void apply_config_file(const std::string& path, cli_options& into) {
    // A directory opens, and then reads as nothing: it would pass as an empty file.
    if (std::error_code ec; std::filesystem::is_directory(path, ec))
        throw config_error(path +
                           ": cannot read the configuration file: it is a directory; "
                           "name the file in it, e.g. " +
                           path + "/ringhttpd.toml");
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
        out += toml_line(o, options);
    }
    out += toml_headers("add_header", options.add_headers);
    return out + sites_toml(options);
}

}  // namespace ringhttpd::app
