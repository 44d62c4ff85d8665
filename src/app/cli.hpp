#pragma once
// Command-line parsing into the immutable config and the app's settings. Pure: no I/O, throws
// std::invalid_argument with a message that names the flag and what is expected.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ringhttpd/config.hpp"
#include "ringhttpd/static_files.hpp"

namespace ringhttpd::app {

// What the command line sets: the server's configuration, and what the app serves with it.
struct cli_options {
    config cfg;
    std::string root = "./static";
    static_files_options files;
    // /debug/delay and /debug/spin (blocking test handlers): for tests and benchmarks only.
    bool debug_routes = false;
    bool show_help = false;
    bool show_version = false;
};

cli_options parse_cli(const std::vector<std::string>& args);
std::string usage();

// "1m" -> 1048576, "8k" -> 8192, "512" -> 512 (nginx size syntax).
uint64_t parse_size(std::string_view text);
// "30s" -> 30000, "500ms" -> 500, "2m" -> 120000, "10" -> 10000 (nginx time syntax, in ms).
uint64_t parse_duration_ms(std::string_view text);

}  // namespace ringhttpd::app
