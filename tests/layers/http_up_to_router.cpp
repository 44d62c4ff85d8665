// Must not compile against the http view: the router is above it.
#include "ringhttpd/router.hpp"
