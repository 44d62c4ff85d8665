// Compiles against the http view: the http layer sees itself and io.
#include "http/session.hpp"
#include "io/reactor.hpp"
