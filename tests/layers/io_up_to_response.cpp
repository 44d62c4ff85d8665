// Must not compile against the io view: responses are the HTTP layer's.
#include "ringhttpd/response.hpp"
