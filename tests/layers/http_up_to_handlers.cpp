// Must not compile against the http view: handlers are above it.
#include "handlers/static_files.hpp"
