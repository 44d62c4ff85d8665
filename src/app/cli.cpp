#include "app/cli.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "app/did_you_mean.hpp"
#include "app/healthcheck.hpp"

namespace ringhttpd::app {
namespace {

// What the command line does besides settings, so not in the option table: a config file has
// no --help.
struct command {
    std::string_view short_flag;
    std::string_view long_flag;
    std::string_view help;  // empty: not listed by --help
    bool cli_options::*action;
};

constexpr command commands[] = {
    {"-t", "--test-config",
     "check the configuration (file, flags, document root, listen address), say what is "
     "wrong, exit 1 if anything is",
     &cli_options::test_config},
    {"-T", "--dump-config", "print the effective configuration as a config file and exit",
     &cli_options::dump_config},
    {"-h", "--help", "show this help", &cli_options::show_help},
    {"-v", "--version", "show the version", &cli_options::show_version},
    // For scripts/gen-options-doc.sh, which splices it into docs/configuration.md.
    {"", "--help-markdown", "", &cli_options::show_reference},
};

const command* find_command(std::string_view arg) {
    for (const command& c : commands)
        if (arg == c.long_flag || (!c.short_flag.empty() && arg == c.short_flag)) return &c;
    return nullptr;
}

std::string unknown_option(std::string_view flag) {
    std::vector<std::string> spelled;
    for (const option& o : option_table()) spelled.push_back("--" + std::string(o.name));
    std::vector<std::string_view> known(spelled.begin(), spelled.end());
    for (const command& c : commands) known.push_back(c.long_flag);
    known.push_back("--config");

    return "unknown option '" + std::string(flag) + "'" + did_you_mean(flag, known);
}

// Where descriptions start in --help, and how wide it gets.
constexpr size_t help_column = 32;
constexpr size_t help_width = 100;

// `words` as lines of at most help_width, each but the first indented to help_column.
std::string wrapped(const std::vector<std::string>& words) {
    std::string out;
    size_t line_length = help_column;
    for (const std::string& word : words) {
        if (line_length > help_column && line_length + 1 + word.size() > help_width) {
            out.append(1, '\n').append(help_column, ' ');
            line_length = help_column;
        } else if (line_length > help_column) {
            out += ' ';
            ++line_length;
        }
        out += word;
        line_length += word.size();
    }
    return out;
}

std::vector<std::string> words_of(std::string_view text) {
    std::vector<std::string> words;
    for (size_t start = 0; start < text.size();) {
        size_t end = std::min(text.find(' ', start), text.size());
        if (end > start) words.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return words;
}

// "  --flag VALUE   description (facts)", the description on a line of its own under a long
// flag. The facts in parentheses stay on one line: "(default:" alone at a line's end reads badly.
std::string help_entry(std::string_view flags, std::string_view description,
                       std::string_view facts = {}) {
    std::string entry = "  ";
    entry += flags;
    if (entry.size() < help_column)
        entry.append(help_column - entry.size(), ' ');
    else
        entry.append(1, '\n').append(help_column, ' ');
    std::vector<std::string> words = words_of(description);
    if (!facts.empty()) words.push_back(std::string("(").append(facts).append(")"));
    return entry + wrapped(words) + "\n";
}

// The table's help text as a terminal shows it: the docs' `code` and **bold** marks would be
// noise there.
std::string plain(std::string_view markdown) {
    std::string text(markdown);
    std::erase_if(text, [](char c) { return c == '`' || c == '*'; });
    return text;
}

}  // namespace

cli_options parse_cli(const std::vector<std::string>& args, cli_options base) {
    cli_options out = std::move(base);
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const size_t eq = arg.find('=');
        const std::string_view flag = arg.substr(0, eq);
        if (flag == "-c" || flag == "--config") {
            if (eq != std::string_view::npos)
                out.config_file = arg.substr(eq + 1);
            else if (i + 1 < args.size())
                out.config_file = args[++i];
            else
                throw std::invalid_argument(std::string(flag) + " needs a file");
            continue;
        }
        if (const command* c = find_command(flag)) {
            if (eq != std::string_view::npos)
                throw std::invalid_argument(std::string(flag) + " takes no value");
            out.*(c->action) = true;
            continue;
        }
        const option* o = flag.starts_with("--") ? find_option(flag.substr(2)) : nullptr;
        if (o == nullptr) throw std::invalid_argument(unknown_option(flag));

        std::string_view value;
        if (eq != std::string_view::npos)
            value = arg.substr(eq + 1);
        else if (o->value.placeholder.empty())
            value = "on";  // a switch, named: on
        else if (i + 1 < args.size())
            value = args[++i];
        else
            throw std::invalid_argument(std::string(flag) + " needs a value");
        try {
            o->value.parse(value, out);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string(flag) + ": " + e.what());
        }
    }
    return out;
}

cli_options parse_cli(const std::vector<std::string>& args) {
    return parse_cli(args, cli_options{});
}

std::string usage() {
    std::string out =
        "Usage: ringhttpd [options]\n\n"
        "An io_uring HTTP/1.1 server: one pinned thread and ring per CPU.\n";
    for (scope s : all_scopes) {
        out.append(1, '\n').append(scope_title(s)).append(1, '\n');
        for (const option& o : option_table()) {
            if (o.where != s) continue;
            std::string facts = "default: " + default_text(o);
            if (std::string range = range_text(o); !range.empty()) facts += "; range: " + range;
            out += help_entry(synopsis(o), plain(o.help), facts);
        }
    }
    out += "\nCommand line\n";
    out += help_entry("-c, --config FILE",
                      "read settings from this TOML file first; flags override them "
                      "(docs/configuration.md)");
    for (const command& c : commands)
        if (!c.help.empty())
            out += help_entry(std::string(c.short_flag) + ", " + std::string(c.long_flag), c.help);
    out +=
        help_entry("healthcheck [URL]", std::string("ask URL (default ") + default_healthcheck_url +
                                            ") once: exit 0 on a 2xx answer, 1 otherwise "
                                            "(docs/observability.md)");
    out +=
        "\nSizes take k/m/g, times ms/s/m/h, as in nginx; --flag=VALUE works as well as "
        "--flag VALUE.\nIn the file, each option is a key with _ for -: client_max_body_size = "
        "\"1m\".\n"
        "Signals: SIGTERM/SIGINT stop at once; SIGQUIT stops accepting, finishes in-flight "
        "requests,\ncloses idle connections and exits 0; SIGHUP reloads the configuration file.\n";
    return out;
}

}  // namespace ringhttpd::app
