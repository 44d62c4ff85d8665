// Must not compile against the tls view: TLS wraps byte streams and knows nothing of HTTP.
#include "http/session.hpp"
