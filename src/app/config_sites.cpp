#include "app/config_sites.hpp"

#include <algorithm>
#include <charconv>

#include "app/builtin_handlers.hpp"
#include "app/config_limits.hpp"
#include "app/did_you_mean.hpp"
#include "app/option_values.hpp"
#include "http/text.hpp"

namespace ringhttpd::app {
namespace {

// The keys a site or location may hold besides site-scope options.
const std::vector<std::string>& site_keys(bool location) {
    auto with_limits = [](std::vector<std::string> own) {
        own.insert(own.end(), place_limit_keys().begin(), place_limit_keys().end());
        return table_keys(std::move(own), scope::site);
    };
    static const auto site =
        with_limits({"server_name", "listen", "add_header", "access_log", "location"});
    static const auto in_location =
        with_limits({"path", "alias", "return", "handler", "add_header", "access_log"});
    return location ? in_location : site;
}

bool is_tls_option(const option& o) {
    return o.name.starts_with("tls-") || o.name == "hsts";
}

// A site-scope option, applied to `scratch` (whose root and files the caller reads back); fails
// for server and app settings, which only the top level holds.
void apply_site_option(const toml_reader& reader, const toml::key& key, const toml::node& value,
                       cli_options& scratch, bool location) {
    const option* o = toml_reader::option_for(key.str());
    if (o == nullptr) reader.unknown_key(key, site_keys(location));
    if (o->where != scope::site)
        reader.fail(key.source(), std::string(key.str()) + " is a " +
                                      (o->where == scope::server ? "server" : "process") +
                                      " setting: set it at the top level of the file");
    if (location && is_tls_option(*o))
        reader.fail(key.source(), std::string(key.str()) +
                                      " is chosen by the TLS handshake, before any path: set it "
                                      "in the [[site]]");
    reader.apply_option(*o, key, value, scratch);
}

std::vector<std::string> server_names(const toml_reader& reader, const toml::key& key,
                                      const toml::node& value) {
    std::vector<std::string> names = reader.strings_of(key, value);
    for (std::string& name : names) {
        http::lowercase_ascii(name);
        const bool wildcard = name.starts_with("*.");
        const std::string_view rest = wildcard ? std::string_view(name).substr(2) : name;
        if (rest.empty() || rest.find_first_of("*/ :") != std::string_view::npos)
            reader.fail(
                value.source(),
                "server_name: '" + name + "' is not a host name; use example.com or *.example.com");
    }
    if (names.empty()) reader.fail(value.source(), "server_name: name at least one host");
    return names;
}

// return = "301 https://example.com$uri", "404", 403 ...
void read_return(const toml_reader& reader, const toml::key& key, const toml::node& value,
                 location_settings& into) {
    std::string text;
    if (auto* n = value.as_integer())
        text = std::to_string(n->get());
    else
        text = reader.string_of(key, value);
    const size_t space = text.find(' ');
    const std::string_view code = std::string_view(text).substr(0, space);
    int status = 0;
    auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
    if (ec != std::errc{} || end != code.data() + code.size() || status < 200 || status > 599)
        reader.fail(value.source(),
                    "return: expected \"CODE [URL or text]\" with a CODE from 200 "
                    "to 599, like \"301 https://example.com$request_uri\", got '" +
                        text + "'");
    into.return_status = status;
    into.return_text = space == std::string::npos ? "" : text.substr(space + 1);
    if (status >= 301 && status <= 308 && into.return_text.empty())
        reader.fail(value.source(), "return: a redirect needs a URL: \"" + std::string(code) +
                                        " https://example.com$request_uri\"");
}

// listen = 8080, "[::]:8080" or a list of addresses.
std::vector<listen_address> site_listen(const toml_reader& reader, const toml::key& key,
                                        const toml::node& value) {
    std::vector<listen_address> addresses;
    try {
        if (auto* port = value.as_integer()) return parse_listen_list(std::to_string(port->get()));
        for (const std::string& text : reader.strings_of(key, value))
            addresses.push_back(listen_address::parse(text));
    } catch (const std::invalid_argument& e) {
        reader.fail(value.source(), "listen: " + std::string(e.what()));
    }
    if (addresses.empty()) reader.fail(value.source(), "listen: name at least one address");
    return addresses;
}

// handler = "api": one of the built-in handlers.
std::string read_handler(const toml_reader& reader, const toml::key& key, const toml::node& value) {
    std::string name = reader.string_of(key, value);
    const auto& names = builtin_handler_names();
    const std::vector<std::string_view> known(names.begin(), names.end());
    if (std::find(names.begin(), names.end(), name) == names.end())
        reader.fail(value.source(), "handler: no built-in handler '" + name + "'" +
                                        did_you_mean(name, known) + "; expected " +
                                        alternatives(known));
    return name;
}

// access_log = false (or "off"): this place's requests are not logged, as nginx's
// `access_log off;` in a location. Where lines go is the top level's setting.
bool read_log_switch(const toml_reader& reader, const toml::key& key, const toml::node& value) {
    if (auto* b = value.as_boolean()) return b->get();
    const std::string text = reader.string_of(key, value);
    if (text != "off" && text != "on")
        reader.fail(value.source(),
                    "access_log: in a site or location, expected false (\"off\") "
                    "or true (\"on\"); where lines go is set at the top level, "
                    "got '" +
                        text + "'");
    return text == "on";
}

}  // namespace

location_settings read_location(const toml_reader& reader, const toml::table& table,
                                const std::string& root, const static_files_options& files) {
    location_settings out;
    cli_options scratch;
    scratch.root = root;
    scratch.files = files;
    bool has_path = false, has_root = false;
    for (const auto& [key, value] : table) {
        if (key == "path") {
            out.path = reader.string_of(key, value);
            const std::string_view path =
                std::string_view(out.path).substr(out.path.starts_with("= ") ? 2 : 0);
            if (!path.starts_with("/"))
                reader.fail(value.source(),
                            "path: expected \"/prefix/\" or \"= /exact\", got '" + out.path + "'");
            has_path = true;
        } else if (key == "alias") {
            scratch.root = reader.string_of(key, value);
            out.alias = true;
        } else if (key == "return") {
            read_return(reader, key, value, out);
        } else if (key == "handler") {
            out.handler = read_handler(reader, key, value);
        } else if (key == "access_log") {
            out.access_log = read_log_switch(reader, key, value);
        } else if (key == "add_header") {
            out.add_headers = reader.headers_of(key, value);
        } else if (!read_place_limit(reader, key, value, out.limits)) {
            has_root = has_root || key == "root";
            apply_site_option(reader, key, value, scratch, true);
        }
    }
    if (!has_path) reader.fail(table.source(), "a location needs a path: path = \"/prefix/\"");
    check_place_limits(reader, table, out.limits);
    if (out.alias && has_root)
        reader.fail(table.source(), "a location has root or alias, not both");
    if (!out.handler.empty() && (out.return_status || out.alias || has_root))
        reader.fail(table.source(),
                    "a location with a handler serves no files and returns nothing else: "
                    "leave out root, alias and return");
    if (out.alias && out.path.starts_with("= "))
        reader.fail(table.source(), "alias needs a prefix location, not an exact one");
    if (out.alias || has_root) out.root = scratch.root;
    out.files = scratch.files;
    return out;
}

site_settings read_site(const toml_reader& reader, const toml::table& table,
                        const cli_options& top) {
    site_settings out;
    cli_options scratch;
    scratch.root = top.root;
    scratch.files = top.files;
    scratch.tls = top.tls;
    const toml::array* locations = nullptr;
    for (const auto& [key, value] : table) {
        if (key == "server_name") {
            out.names = server_names(reader, key, value);
        } else if (key == "listen") {
            out.listen = site_listen(reader, key, value);
        } else if (key == "access_log") {
            out.access_log = read_log_switch(reader, key, value);
        } else if (key == "add_header") {
            out.add_headers = reader.headers_of(key, value);
        } else if (key == "location") {
            locations = &reader.tables_of(key, value);
        } else if (!read_place_limit(reader, key, value, out.limits)) {
            apply_site_option(reader, key, value, scratch, false);
        }
    }
    check_place_limits(reader, table, out.limits);
    if (out.names.empty())
        reader.fail(table.source(), "a [[site]] needs server_name = \"example.com\" (or a list)");
    if (scratch.tls.certificates.size() != scratch.tls.keys.size())
        reader.fail(table.source(),
                    "a [[site]] with its own certificates needs tls_certificate and "
                    "tls_certificate_key alike: one key per certificate, in the same order");
    out.root = scratch.root;
    out.files = scratch.files;
    // The top level's responses are for the top level's certificates: a site with
    // certificates of its own has only the responses it names.
    if (table.contains("tls_certificate") && !table.contains("tls_ocsp_response"))
        scratch.tls.ocsp_responses.clear();
    out.tls = scratch.tls;
    if (locations)
        for (const toml::node& location : *locations)
            out.locations.push_back(
                read_location(reader, *location.as_table(), out.root, out.files));
    return out;
}

namespace {

// The site-scope settings of `root` and `files`, except root itself, and of `tls` when given
// (a site's, not a location's).
std::string file_settings_toml(const std::string& root, const static_files_options& files,
                               const site_tls_settings* tls = nullptr) {
    cli_options holder;
    holder.root = root;
    holder.files = files;
    if (tls) holder.tls = *tls;
    std::string out;
    for (const option& o : option_table())
        if (o.where == scope::site && o.name != "root" && (tls || !is_tls_option(o)))
            out += toml_line(o, holder);
    return out;
}

std::string location_toml(std::string_view header, const location_settings& l) {
    std::string out = "\n";
    out.append(header).append("\npath = ").append(quoted(l.path)).append("\n");
    if (!l.root.empty()) out += (l.alias ? "alias = " : "root = ") + quoted(l.root) + "\n";
    if (l.return_status)
        out += "return = " +
               quoted(std::to_string(*l.return_status) +
                      (l.return_text.empty() ? "" : " " + l.return_text)) +
               "\n";
    if (!l.handler.empty()) out += "handler = " + quoted(l.handler) + "\n";
    out += toml_headers("add_header", l.add_headers);
    if (l.access_log)
        out += std::string("access_log = ") + (*l.access_log ? "true" : "false") + "\n";
    out += place_limits_toml(l.limits);
    return out + file_settings_toml(l.root, l.files);
}

}  // namespace

std::string sites_toml(const cli_options& options) {
    std::string out;
    for (const location_settings& l : options.locations) out += location_toml("[[location]]", l);
    for (const site_settings& site : options.sites) {
        out += "\n[[site]]\nserver_name = [";
        for (size_t i = 0; i < site.names.size(); ++i)
            out += (i ? ", " : "") + quoted(site.names[i]);
        out += "]\n";
        if (!site.listen.empty()) {
            out += "listen = [";
            for (size_t i = 0; i < site.listen.size(); ++i)
                out += (i ? ", " : "") + quoted(site.listen[i].text());
            out += "]\n";
        }
        out += "root = " + quoted(site.root) + "\n";
        out += toml_headers("add_header", site.add_headers);
        if (site.access_log)
            out += std::string("access_log = ") + (*site.access_log ? "true" : "false") + "\n";
        out += place_limits_toml(site.limits);
        out += file_settings_toml(site.root, site.files, &site.tls);
        for (const location_settings& l : site.locations)
            out += location_toml("[[site.location]]", l);
    }
    return out;
}

}  // namespace ringhttpd::app
