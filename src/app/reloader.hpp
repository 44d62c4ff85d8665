#pragma once
// SIGHUP: read the settings again (the file -c names, then the flags) and, if they are valid
// and change only what a reload may change, swap the server's routes for ones made from them.
// Requests in flight finish under the settings they started with; the next request on every
// connection uses the new ones. Anything else leaves the running settings untouched. Every
// attempt is logged with its number ("reload 3: applied ...", "reload 4: refused: FILE:LINE:
// ...").

#include <cstdint>
#include <string>
#include <vector>

#include "app/monitor.hpp"
#include "app/options.hpp"
#include "ringhttpd/server.hpp"

namespace ringhttpd::app {

class reloader {
  public:
    // `args`: the command line, read again at each reload; `running`: what it gave at start.
    // `m`: counts the reloads, and the routes built report to it; it must outlive the server.
    reloader(server& srv, monitor& m, std::vector<std::string> args, cli_options running);

    // Returns whether the new settings were applied.
    bool reload();
    uint64_t generation() const { return generation_; }  // attempts so far

  private:
    server& server_;
    monitor& monitor_;
    const std::vector<std::string> args_;
    cli_options running_;
    uint64_t generation_ = 0;
};

}  // namespace ringhttpd::app
