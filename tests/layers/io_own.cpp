// Compiles against the io view: the io layer sees itself.
#include "io/reactor.hpp"
