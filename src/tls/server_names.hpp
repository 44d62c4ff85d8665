#pragma once
// Which certificate answers a TLS client hello's server name (SNI): exact names first, then the
// longest matching "*.example.com" wildcard, as sites are chosen by Host. A pure lookup table,
// built once and read by every ring.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringhttpd::tls {

class server_names {
  public:
    // `name`: "example.com" or "*.example.com", lowercase. The first entry added for a name wins.
    void add(std::string_view name, size_t certificate);
    // The certificate for `host` as the client sent it (any case, an optional trailing dot), or
    // nullopt when no name matches (the default certificate answers).
    std::optional<size_t> find(std::string_view host) const;

  private:
    struct entry {
        std::string name;  // exact: the name; wildcard: the suffix with its dot (".example.com")
        size_t certificate;
    };
    std::vector<entry> exact_;
    std::vector<entry> wildcard_;
};

}  // namespace ringhttpd::tls
