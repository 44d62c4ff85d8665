#pragma once
// Simulating an older kernel on a newer one. RINGHTTPD_KERNEL_COMPAT=6.1 makes every feature
// that arrived after Linux 6.1 look as if its probe had failed, so the fallbacks users on older
// kernels get run here too, in tests and CI, instead of nowhere. The mask only takes features
// away: on a kernel older than the mask the probes still decide.
//
// Pure decisions and parsing; the io layer asks allows() before each probe. Immutable, copied
// into every ring.

#include <string>
#include <string_view>

namespace ringhttpd::io {

// A kernel release as major * 100 + minor: 6.1 -> 601, 5.19 -> 519.
using kernel_release = int;

// The oldest kernel ringhttpd runs on: multishot accept, provided buffer rings, COOP_TASKRUN.
inline constexpr kernel_release minimum_kernel = 519;

// What ringhttpd uses that arrived after minimum_kernel, each with a fallback.
enum class kernel_feature {
    single_issuer,      // IORING_SETUP_SINGLE_ISSUER (6.0)
    multishot_recv,     // IORING_RECV_MULTISHOT (6.0): else one receive per arm
    send_zc,            // IORING_OP_SEND_ZC (6.0): probed and reported, not used yet
    defer_taskrun,      // IORING_SETUP_DEFER_TASKRUN (6.1): else the setup fallback chain
    cachestat,          // cachestat(2) (6.5): else files are assumed to be in the page cache
    ringless_msg_ring,  // MSG_RING without a ring, IORING_REGISTER_SEND_MSG_RING (6.13): eventfd
};

kernel_release introduced_in(kernel_feature feature);
std::string release_text(kernel_release release);  // 601 -> "6.1"

// The variable that sets the mask.
inline constexpr const char* kernel_compat_variable = "RINGHTTPD_KERNEL_COMPAT";
// The values it accepts: the releases at which ringhttpd's paths change (6.12 is the newest
// without ring-less MSG_RING, and Debian 13's kernel).
inline constexpr kernel_release kernel_compat_levels[] = {519, 600, 601, 605, 612};

class kernel_compat {
  public:
    kernel_compat() = default;  // no mask: whatever the kernel has
    explicit kernel_compat(kernel_release ceiling) : ceiling_(ceiling) {}

    bool allows(kernel_feature feature) const {
        return ceiling_ == 0 || introduced_in(feature) <= ceiling_;
    }
    bool masked() const { return ceiling_ != 0; }
    std::string describe() const;  // "off", or the release it simulates: "6.1"

  private:
    kernel_release ceiling_ = 0;
};

// Parses the variable's value ("5.19", "6.0", ...); empty means no mask. Throws
// std::invalid_argument naming the accepted values.
kernel_compat parse_kernel_compat(std::string_view value);
// The mask the environment asks for; throws like parse_kernel_compat.
kernel_compat kernel_compat_from_environment();

}  // namespace ringhttpd::io
