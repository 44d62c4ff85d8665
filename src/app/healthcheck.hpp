#pragma once
// `ringhttpd healthcheck [URL]`: asks URL once and exits 0 on a 2xx answer, 1 on anything else
// (no answer within the timeout, a refused connection, another status), for Docker's
// HEALTHCHECK in an image without curl. Plain sockets, HTTP/1.0, http:// only.

#include <string>
#include <vector>

namespace ringhttpd::app {

inline constexpr const char* default_healthcheck_url = "http://127.0.0.1:9145/healthz";

// `args`: what follows `healthcheck` on the command line. Returns the exit status; says why on
// stderr when it is not 0.
int run_healthcheck(const std::vector<std::string>& args);

}  // namespace ringhttpd::app
