#pragma once
// What reading the configuration file needs at every level (top, [[site]], [[location]]):
// messages with FILE:LINE:COLUMN, the option table's keys, and the few value shapes the file
// has beyond options (strings, lists of names, header tables).

#include <toml++/toml.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/options.hpp"

namespace ringhttpd::app {

class toml_reader {
  public:
    explicit toml_reader(std::string source) : source_(std::move(source)) {}

    // Throws config_error: "FILE:LINE:COLUMN: message".
    [[noreturn]] void fail(const toml::source_region& at, const std::string& message) const;
    // An unknown key, with the closest of `known` as a suggestion.
    [[noreturn]] void unknown_key(const toml::key& key, std::span<const std::string> known) const;

    // The option whose file key is `key`, or nullptr.
    static const option* option_for(std::string_view key);
    // key = value through the option's own parser, into `into`.
    void apply_option(const option& o, const toml::key& key, const toml::node& value,
                      cli_options& into) const;

    std::string string_of(const toml::key& key, const toml::node& value) const;
    // A string or a list of strings.
    std::vector<std::string> strings_of(const toml::key& key, const toml::node& value) const;
    // add_header = { "X-Frame-Options" = "DENY", ... }: names are tokens, values have no CR/LF.
    header_list headers_of(const toml::key& key, const toml::node& value) const;
    // An array of tables ([[site]], [[location]]).
    const toml::array& tables_of(const toml::key& key, const toml::node& value) const;

    const std::string& source() const { return source_; }

  private:
    std::string source_;
};

// What a table may hold, for did-you-mean: `own` keys, then the file key of every option (of
// scope `only`, when given).
std::vector<std::string> table_keys(std::vector<std::string> own,
                                    std::optional<scope> only = std::nullopt);

// A TOML basic string: the text in double quotes, with quotes, backslashes and control
// characters escaped.
std::string quoted(std::string_view text);
// A switch or an on|off setting: written as a TOML boolean.
bool is_boolean(const option& o);
// "key = value\n" for `o` as `from` holds it, or "# key: words\n" when it is worked out at run
// time ("CPUs this process may use").
std::string toml_line(const option& o, const cli_options& from);
// "name = { "A" = "b", ... }\n", or "" for no headers.
std::string toml_headers(std::string_view name, const header_list& headers);

}  // namespace ringhttpd::app
