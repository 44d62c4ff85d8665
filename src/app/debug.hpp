#pragma once
// Handlers for tests and benchmarks, added only with --debug-routes (never in production: they
// let any client tie up workers):
//   GET /debug/delay?ms=N  sleeps N ms on a worker (a blocking handler), N <= 10000
//   GET /debug/spin?ms=N   burns N ms of CPU on a worker, N <= 10000
//   GET /debug/hold        blocks a worker until the next /debug/release (or SIGTERM)
//   GET /debug/release     lets every waiting hold go; answers "released N"
//   GET /debug/running     how many delay, spin and hold jobs the workers are running now
//   GET /debug/inline      a tiny answer made on the ring thread...
//   GET /debug/pooled      ...and the same answer made on the worker pool: the pool's round trip

#include "ringhttpd/router.hpp"

namespace ringhttpd::app {

void add_debug_routes(router& routes);

}  // namespace ringhttpd::app
