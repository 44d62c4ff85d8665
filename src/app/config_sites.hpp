#pragma once
// The [[site]] and [[location]] tables of the configuration file: sites chosen by Host, and
// locations inside a site (or at the top level, for the default site) chosen by path. Site
// settings not given in a table are those of the level above, as in nginx.

#include <toml++/toml.h>

#include "app/options.hpp"
#include "app/toml_reader.hpp"

namespace ringhttpd::app {

// A [[site]] table; `top`: the top level's settings, which it inherits.
site_settings read_site(const toml_reader& reader, const toml::table& table,
                        const cli_options& top);
// A [[location]] table; `root` and `files`: the enclosing site's.
location_settings read_location(const toml_reader& reader, const toml::table& table,
                                const std::string& root, const static_files_options& files);

// The top level's [[location]] tables and every [[site]] as TOML, for -T.
std::string sites_toml(const cli_options& options);

}  // namespace ringhttpd::app
