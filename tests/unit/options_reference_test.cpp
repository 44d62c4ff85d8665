// docs/configuration.md holds the option reference the table makes, between two markers, so the
// docs cannot drift from the flags: this test fails until scripts/gen-options-doc.sh is rerun.

#include "app/options_reference.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "app/options.hpp"

using namespace ringhttpd::app;

namespace {

constexpr std::string_view begin_marker = "<!-- options:begin -->\n";
constexpr std::string_view end_marker = "<!-- options:end -->";

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The first line where `a` and `b` differ, as "line N: <a's> / <b's>", to point at the drift
// without printing both texts whole.
std::string first_difference(const std::string& a, const std::string& b) {
    std::istringstream as(a), bs(b);
    std::string la, lb;
    for (int n = 1;; ++n) {
        const bool more_a = bool(std::getline(as, la)), more_b = bool(std::getline(bs, lb));
        if (!more_a && !more_b) return "none";
        if (!more_a || !more_b || la != lb)
            return "line " + std::to_string(n) + " of the reference: the docs have\n  " +
                   (more_a ? la : "(nothing)") + "\nthe option table makes\n  " +
                   (more_b ? lb : "(nothing)");
    }
}

}  // namespace

TEST(options_reference, docs_configuration_md_is_generated_from_the_option_table) {
    const std::string docs = read_file(RINGHTTPD_SOURCE_DIR "/docs/configuration.md");
    ASSERT_FALSE(docs.empty()) << "cannot read " RINGHTTPD_SOURCE_DIR "/docs/configuration.md";
    const size_t begin = docs.find(begin_marker);
    const size_t end = docs.find(end_marker);
    ASSERT_TRUE(begin != std::string::npos && end != std::string::npos && begin < end)
        << "docs/configuration.md lacks the lines " << begin_marker << " and " << end_marker;
    const std::string in_docs =
        docs.substr(begin + begin_marker.size(), end - begin - begin_marker.size());
    const std::string generated = reference_markdown();
    EXPECT_TRUE(in_docs == generated)
        << "docs/configuration.md is out of date with the option table (src/app/options.cpp): "
           "build, then run scripts/gen-options-doc.sh. First difference: "
        << first_difference(in_docs, generated);
}

TEST(options_reference, lists_every_option_with_its_default_and_range) {
    const std::string reference = reference_markdown();
    for (const option& o : option_table()) {
        std::string row = "| `--" + std::string(o.name);
        EXPECT_NE(reference.find(row), std::string::npos) << o.name;
    }
    EXPECT_NE(reference.find("| `--max-request-line SIZE` | `max_request_line` | 8k | 64 to 1m | "),
              std::string::npos);
    EXPECT_NE(reference.find("| `--autoindex on\\|off` | `autoindex` | off |  | "),
              std::string::npos);
    EXPECT_NE(reference.find("## " + std::string(scope_title(scope::site))), std::string::npos);
}
