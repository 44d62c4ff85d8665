#include "app/tls_settings.hpp"

#include <stdexcept>

namespace ringhttpd::app {

std::vector<tls_certificate> tls_certificates(const cli_options& options) {
    if (options.tls_certificate.empty() != options.tls_certificate_key.empty())
        throw std::runtime_error(
            "tls_certificate and tls_certificate_key go together: set both, or neither");
    std::vector<tls_certificate> out;
    if (!options.tls_certificate.empty())
        out.push_back({{}, options.tls_certificate, options.tls_certificate_key});
    for (const site_settings& site : options.sites)
        if (!site.tls_certificate.empty())
            out.push_back({site.names, site.tls_certificate, site.tls_certificate_key});
    return out;
}

}  // namespace ringhttpd::app
