// Compiles against the core view: the core sees every layer below it.
#include "handlers/static_files.hpp"
#include "http/session.hpp"
#include "io/reactor.hpp"
#include "ringhttpd/server.hpp"
