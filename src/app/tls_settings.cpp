#include "app/tls_settings.hpp"

#include <stdexcept>

namespace ringhttpd::app {
namespace {

// `where`: "" for the top level, else the site's first name, for the message.
tls_certificate certificate_of(const site_tls_settings& tls, std::vector<std::string> names,
                               const std::string& where) {
    const std::string place = where.empty() ? "" : " of [[site]] " + where;
    if (tls.certificates.size() != tls.keys.size())
        throw std::runtime_error("tls_certificate and tls_certificate_key" + place +
                                 " go together: give one key per certificate, in the same order");
    if (tls.ocsp_responses.size() > tls.certificates.size())
        throw std::runtime_error("tls_ocsp_response" + place +
                                 " has more files than tls_certificate: give at most one "
                                 "response per certificate, in the same order");
    tls_certificate out;
    out.server_names = std::move(names);
    for (size_t i = 0; i < tls.certificates.size(); ++i)
        out.key_pairs.push_back({tls.certificates[i], tls.keys[i],
                                 i < tls.ocsp_responses.size() ? tls.ocsp_responses[i] : ""});
    out.client_ca_file = tls.client_ca;
    out.verify = tls.verify;
    if (out.verify != verify_client::off && out.key_pairs.empty())
        throw std::runtime_error("tls_verify_client" + place +
                                 " needs a certificate: set tls_certificate and "
                                 "tls_certificate_key");
    return out;
}

}  // namespace

std::vector<tls_certificate> tls_certificates(const cli_options& options) {
    std::vector<tls_certificate> out;
    if (!options.tls.certificates.empty() || !options.tls.keys.empty() ||
        !options.tls.ocsp_responses.empty())
        out.push_back(certificate_of(options.tls, {}, ""));
    for (const site_settings& site : options.sites)
        // A site with the top level's certificates and client checks (its own settings start
        // from those) is served by the default context.
        if (!site.tls.same_context(options.tls))
            out.push_back(certificate_of(site.tls, site.names, site.names.front()));
    return out;
}

}  // namespace ringhttpd::app
