#include "app/options_reference.hpp"

#include "app/options.hpp"

namespace ringhttpd::app {
namespace {

// A table cell: a '|' would end it.
std::string cell(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '|') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

std::string reference_markdown() {
    std::string out;
    for (scope s : all_scopes) {
        out += "\n## " + std::string(scope_title(s)) + "\n\n";
        out += "| flag | file key | default | range | meaning |\n|---|---|---|---|---|\n";
        for (const option& o : option_table()) {
            if (o.where != s) continue;
            out += "| `" + cell(synopsis(o)) + "` | `" + config_key(o.name) + "` | " +
                   cell(default_text(o)) + " | " + cell(range_text(o)) + " | " + cell(o.help) +
                   " |\n";
        }
    }
    return out + "\n";
}

}  // namespace ringhttpd::app
