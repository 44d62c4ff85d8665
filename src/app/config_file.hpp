#pragma once
// The configuration file: TOML whose keys are the option table's names with '_' for '-'
// (client_max_body_size = "1m"), read through the same parsers as the command line. Sizes and
// times are strings in nginx's syntax ("1m", "75s") or whole numbers (bytes; seconds for a
// time, as on the command line); on|off settings are true or false.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "app/options.hpp"

namespace ringhttpd::app {

// A file that cannot be applied. what(): "FILE:LINE:COLUMN: what is wrong and what would be
// right", the position of the offending key or value.
class config_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Applies the settings in the TOML `text` (read from `source`, for messages) to `into`. All or
// nothing: on a config_error `into` is unchanged.
void apply_config_text(std::string_view text, const std::string& source, cli_options& into);
// The same for the file at `path`; an unreadable file is a config_error too.
void apply_config_file(const std::string& path, cli_options& into);

// The settings for a start or a reload: the defaults, then the file `-c FILE` names (if any),
// then the other flags. Throws config_error for the file, std::invalid_argument for a flag.
cli_options load_settings(const std::vector<std::string>& args);

// `options` as a configuration file that reads back to the same settings: every option with
// its value, and settings worked out at run time as comments.
std::string effective_config(const cli_options& options);

}  // namespace ringhttpd::app
