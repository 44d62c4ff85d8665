#include "io/kernel_compat.hpp"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <stdexcept>

namespace ringhttpd::io {
namespace {

std::string accepted_values() {
    std::string out;
    for (kernel_release level : kernel_compat_levels) {
        if (!out.empty()) out += ", ";
        out += release_text(level);
    }
    return out;
}

}  // namespace

kernel_release introduced_in(kernel_feature feature) {
    switch (feature) {
        case kernel_feature::single_issuer:
        case kernel_feature::multishot_recv:
        case kernel_feature::send_zc:
            return 600;
        case kernel_feature::defer_taskrun:
            return 601;
        case kernel_feature::cachestat:
            return 605;
        case kernel_feature::ringless_msg_ring:
            return 613;
    }
    return 0;
}

std::string release_text(kernel_release release) {
    return std::to_string(release / 100) + "." + std::to_string(release % 100);
}

std::string kernel_compat::describe() const {
    return masked() ? release_text(ceiling_) : "off";
}

kernel_compat parse_kernel_compat(std::string_view value) {
    if (value.empty()) return {};
    // Exact spellings only: "6.01" or "6.1.0" would be a guess at what was meant.
    const auto* level =
        std::find_if(std::begin(kernel_compat_levels), std::end(kernel_compat_levels),
                     [&](kernel_release r) { return release_text(r) == value; });
    if (level == std::end(kernel_compat_levels))
        throw std::invalid_argument(std::string(kernel_compat_variable) + "=" + std::string(value) +
                                    " is not a kernel ringhttpd can simulate; use one of " +
                                    accepted_values() + ", or leave it unset");
    return kernel_compat(*level);
}

kernel_compat kernel_compat_from_environment() {
    const char* value = std::getenv(kernel_compat_variable);
    return parse_kernel_compat(value ? value : "");
}

}  // namespace ringhttpd::io
