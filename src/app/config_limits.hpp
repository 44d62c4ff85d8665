#pragma once
// The server limits a [[site]] or [[location]] may set for itself: client_max_body_size,
// limit_req (with limit_req_burst and limit_req_status) and limit_conn, as nginx allows them in
// server and location blocks. Each value is read by its option's own parser, so it means what
// it means at the top level.

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "app/options.hpp"
#include "app/toml_reader.hpp"

namespace ringhttpd::app {

// Their file keys, for did-you-mean.
const std::vector<std::string>& place_limit_keys();
// `key = value` into `into` when `key` is one of them (then true).
bool read_place_limit(const toml_reader& reader, const toml::key& key, const toml::node& value,
                      place_limit_settings& into);
// After a whole table: limit_req_burst and limit_req_status need limit_req beside them.
void check_place_limits(const toml_reader& reader, const toml::table& table,
                        const place_limit_settings& limits);
// The ones set, as TOML lines, for -T.
std::string place_limits_toml(const place_limit_settings& limits);

}  // namespace ringhttpd::app
