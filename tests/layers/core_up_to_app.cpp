// Must not compile against the core view: the app is above it.
#include "app/cli.hpp"
