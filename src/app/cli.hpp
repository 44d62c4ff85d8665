#pragma once
// The command line: --flag VALUE, --flag=VALUE and switches, read through the option table
// (app/options.hpp) into cli_options, and --help made from the same table. Pure: no I/O; throws
// std::invalid_argument with a message that names the flag, what it got and what is expected.

#include <string>
#include <vector>

#include "app/options.hpp"

namespace ringhttpd::app {

// The flags in `args` applied over `base` (the defaults, or what a config file set); -c FILE is
// only noted in config_file: reading it is the caller's job.
cli_options parse_cli(const std::vector<std::string>& args, cli_options base);
// The flags over the defaults.
cli_options parse_cli(const std::vector<std::string>& args);
std::string usage();

}  // namespace ringhttpd::app
