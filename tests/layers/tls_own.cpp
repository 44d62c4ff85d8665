// Compiles against the tls view: the tls layer sees itself and io.
#include "io/reactor.hpp"
#include "tls/stream.hpp"
