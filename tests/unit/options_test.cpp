// The option table's invariants: the things every entry must get right for the command line,
// --help, the docs and the config file to agree.

#include "app/options.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

#include "app/cli.hpp"

using namespace ringhttpd::app;

namespace {

bool parses(const option& o, const std::string& text) {
    try {
        cli_options scratch;
        o.value.parse(text, scratch);
        return true;
    } catch (const std::invalid_argument&) {
        return false;
    }
}

}  // namespace

TEST(options, names_are_unique_and_config_file_friendly) {
    std::set<std::string_view> seen;
    for (const option& o : option_table()) {
        EXPECT_TRUE(seen.insert(o.name).second) << "twice: " << o.name;
        // The config file spells them with '_' for '-': nothing else may need quoting.
        EXPECT_EQ(o.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-"),
                  std::string_view::npos)
            << o.name;
        EXPECT_FALSE(o.help.empty()) << o.name;
        EXPECT_EQ(o.help.find('\n'), std::string_view::npos) << o.name << ": one line";
        EXPECT_EQ(find_option(o.name), &o);
    }
    EXPECT_EQ(find_option("no-such-option"), nullptr);
}

// A default shown as a value must be one: parsed, it shows the same again. The others are worked
// out at run time (0 in the struct) and say so in words.
TEST(options, defaults_shown_as_values_parse_back_to_themselves) {
    const std::set<std::string_view> in_words = {"threads", "max-connections", "workers",
                                                 "limit-req", "limit-conn"};
    for (const option& o : option_table()) {
        const std::string shown = default_text(o);
        if (in_words.contains(o.name)) {
            EXPECT_FALSE(parses(o, shown)) << o.name << ": " << shown;
            continue;
        }
        cli_options parsed;
        o.value.parse(shown, parsed);
        EXPECT_EQ(o.value.show(parsed), shown) << o.name;
    }
}

TEST(options, bounds_are_what_the_parser_enforces) {
    for (const option& o : option_table()) {
        if (!o.value.range) continue;
        const bounds b = *o.value.range;
        auto spelled = [&](uint64_t n) { return o.value.format_bound(n); };
        EXPECT_TRUE(parses(o, spelled(b.min))) << o.name;
        EXPECT_TRUE(parses(o, spelled(b.max))) << o.name;
        if (b.min > 0) {
            EXPECT_FALSE(parses(o, spelled(b.min - 1))) << o.name;
        }
        EXPECT_FALSE(parses(o, spelled(b.max + 1))) << o.name;
        EXPECT_EQ(range_text(o), spelled(b.min) + " to " + spelled(b.max));
    }
}

TEST(options, every_option_is_on_the_command_line_in_both_spellings) {
    for (const option& o : option_table()) {
        const std::string shown = default_text(o);
        if (o.value.placeholder.empty()) {
            EXPECT_NO_THROW(parse_cli({"--" + std::string(o.name)})) << o.name;
            continue;
        }
        if (!parses(o, shown)) continue;  // a default in words: covered by cli_test
        EXPECT_NO_THROW(parse_cli({"--" + std::string(o.name), shown})) << o.name;
        EXPECT_NO_THROW(parse_cli({"--" + std::string(o.name) + "=" + shown})) << o.name;
    }
}
