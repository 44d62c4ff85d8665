#pragma once
// The certificates of the settings, as the server takes them (config::tls_certificates): the
// default site's first, then each [[site]] with certificates or client checks of its own, named
// by its server names.

#include <vector>

#include "app/options.hpp"
#include "ringhttpd/tls_config.hpp"

namespace ringhttpd::app {

// Throws std::runtime_error when certificates and keys do not pair up, or client checks come
// without a certificate. Without a top-level certificate, the first site's answers clients that
// ask for no name.
std::vector<tls_certificate> tls_certificates(const cli_options& options);

}  // namespace ringhttpd::app
