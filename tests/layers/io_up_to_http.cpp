// Must not compile against the io view: io is below http.
#include "http/session.hpp"
