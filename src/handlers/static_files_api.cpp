// The public face of the static file handler (include/ringhttpd/static_files.hpp): public
// options in, the internal handler's options out.

#include "ringhttpd/static_files.hpp"

#include "handlers/static_files.hpp"

namespace ringhttpd {
namespace {

handlers::static_options internal_options(const static_files_options& options) {
    handlers::static_options internal;
    internal.index = options.index;
    internal.autoindex = options.autoindex;
    internal.precompressed = options.precompressed;
    internal.gzip = options.gzip;
    internal.cache.entries = options.open_file_cache;
    internal.response.expires_s = options.expires_s;
    internal.url_prefix = options.url_prefix;
    return internal;
}

}  // namespace

static_files::static_files(const std::string& root, static_files_options options)
    : impl_(std::make_shared<const handlers::static_files>(root, internal_options(options))) {}

route_result static_files::serve(const request& req, const context& ctx) const {
    return impl_->serve(req, ctx);
}

staged_handler static_files::handler() const {
    return [impl = impl_](const request& req, const context& ctx) { return impl->serve(req, ctx); };
}

}  // namespace ringhttpd
