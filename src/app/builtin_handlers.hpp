#pragma once
// The built-in handlers a location attaches by name (`handler = "api"`): routes of this binary
// that answer under that location instead of files. A configuration that attaches any serves
// them only where attached; one that attaches none (no file, or no `handler` key in it) serves
// them on every site, before any location, as ringhttpd always has.

#include <string>
#include <string_view>
#include <vector>

#include "app/monitor.hpp"
#include "app/options.hpp"
#include "ringhttpd/router.hpp"

namespace ringhttpd::app {

// The names `handler` accepts, for the file's checks and did-you-mean.
const std::vector<std::string>& builtin_handler_names();
// The routes of the handler called `name`, one of those names; `m` must outlive them.
router builtin_handler(std::string_view name, const monitor& m);
// Whether some location of `options` attaches a handler.
bool attaches_handlers(const cli_options& options);
// Whether some location attaches the handler called `name`.
bool attaches_handler(const cli_options& options, std::string_view name);

}  // namespace ringhttpd::app
