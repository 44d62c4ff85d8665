#include "io/ring_setup.hpp"

#include <sys/utsname.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ringhttpd::io {
namespace {

// Kernel release as major*100+minor ("6.18.4" -> 618); 0 when unknown.
int kernel_version() {
    utsname u{};
    if (uname(&u) != 0) return 0;
    int major = 0, minor = 0;
    if (std::sscanf(u.release, "%d.%d", &major, &minor) != 2) return 0;
    return major * 100 + minor;
}

void append_flag(std::string& out, const char* name) {
    if (!out.empty()) out += '|';
    out += name;
}

}  // namespace

int io_uring_disabled_sysctl() {
    std::FILE* f = std::fopen("/proc/sys/kernel/io_uring_disabled", "r");
    if (!f) return -1;
    int value = -1;
    if (std::fscanf(f, "%d", &value) != 1) value = -1;
    std::fclose(f);
    return value;
}

std::string io_uring_unavailable_message(int err, int io_uring_disabled) {
    // EPERM and ENOSYS are what seccomp profiles answer (DESIGN §3): the fix is a profile that
    // allows io_uring, which the source tree ships, never turning seccomp off.
    static constexpr const char* container_fix =
        "run the container with the profile that allows it, docker/seccomp.json in ringhttpd's "
        "source tree: docker run --security-opt seccomp=docker/seccomp.json ... (podman run takes "
        "the same --security-opt seccomp=docker/seccomp.json; Kubernetes: a Localhost seccomp "
        "profile; see docs/docker.md). Under systemd, SystemCallFilter= must allow "
        "io_uring_setup io_uring_enter io_uring_register.";
    std::string msg =
        "io_uring is unavailable (io_uring_setup: " + std::string(strerror(err)) + "). ";
    switch (err) {
        case EPERM:
            // The sysctl, when set, is the certain cause; a seccomp profile only the likely one.
            if (io_uring_disabled == 2) {
                msg +=
                    "The sysctl kernel.io_uring_disabled is 2 on this host: io_uring is off for "
                    "every process. Set it to 0 (sysctl -w kernel.io_uring_disabled=0).";
                break;
            }
            if (io_uring_disabled == 1) {
                msg +=
                    "The sysctl kernel.io_uring_disabled is 1 on this host: only root and the "
                    "group kernel.io_uring_group may use io_uring. Run ringhttpd with that "
                    "group (sysctl -w kernel.io_uring_group=GID), or set the sysctl to 0.";
                break;
            }
            msg +=
                "It is blocked, either by a seccomp profile (Docker 25+'s default denies "
                "io_uring with EPERM): ";
            msg += container_fix;
            msg +=
                " Or by the sysctl kernel.io_uring_disabled: set it to 0 "
                "(sysctl -w kernel.io_uring_disabled=0).";
            break;
        case ENOSYS:
            msg += "Either a seccomp profile hides it (podman's default answers ENOSYS): ";
            msg += container_fix;
            msg +=
                " Or this sandbox or kernel has no io_uring (gVisor, a kernel built without "
                "CONFIG_IO_URING): ringhttpd needs Linux 5.19+ with io_uring.";
            break;
        case ENOMEM:
            msg +=
                "The kernel could not allocate the ring: raise RLIMIT_MEMLOCK (ulimit -l) or "
                "lower --threads.";
            break;
        default:
            msg += "ringhttpd needs Linux 5.19 or newer with io_uring enabled.";
    }
    return msg;
}

void probe_io_uring() {
    io_uring ring{};
    int ret = io_uring_queue_init(4, &ring, 0);
    if (ret < 0)
        throw std::runtime_error(io_uring_unavailable_message(-ret, io_uring_disabled_sysctl()));
    io_uring_queue_exit(&ring);
    if (kernel_version() != 0 && kernel_version() < 519)
        throw std::runtime_error(
            "ringhttpd needs Linux 5.19 or newer (multishot accept, provided buffer rings); "
            "this kernel is older");
}

ring_info setup_ring(io_uring& ring, unsigned sq_entries, const kernel_compat& compat) {
    // Best first: DEFER_TASKRUN runs completions only when this thread waits (6.1); then
    // SINGLE_ISSUER|COOP_TASKRUN (6.0); then COOP_TASKRUN|TASKRUN_FLAG (5.19); then nothing.
    // A kernel that lacks a flag answers -EINVAL; a masked flag is skipped as if it had.
    const unsigned common = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
    const unsigned chain[] = {
        common | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
            IORING_SETUP_COOP_TASKRUN,
        common | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN,
        common | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
        IORING_SETUP_CQSIZE,
    };
    int ret = -EINVAL;
    for (unsigned flags : chain) {
        if ((flags & IORING_SETUP_DEFER_TASKRUN) && !compat.allows(kernel_feature::defer_taskrun))
            continue;
        if ((flags & IORING_SETUP_SINGLE_ISSUER) && !compat.allows(kernel_feature::single_issuer))
            continue;
        io_uring_params params{};
        params.flags = flags;
        params.cq_entries = sq_entries * 8;  // a CQ overflow is slow: size it generously
        ret = io_uring_queue_init_params(sq_entries, &ring, &params);
        if (ret == 0) {
            ring_info info;
            info.flags = flags;
            info.features = params.features;
            // No probe tells multishot recv apart; a kernel without it would also answer the
            // first receive with -EINVAL, and the reactor falls back then.
            info.multishot_recv =
                compat.allows(kernel_feature::multishot_recv) && kernel_version() >= 600;
            if (io_uring_probe* probe = io_uring_get_probe_ring(&ring)) {
                info.send_zc = compat.allows(kernel_feature::send_zc) &&
                               io_uring_opcode_supported(probe, IORING_OP_SEND_ZC);
                info.msg_ring = io_uring_opcode_supported(probe, IORING_OP_MSG_RING);
                io_uring_free_probe(probe);
            }
            return info;
        }
        if (ret != -EINVAL) break;
    }
    throw std::runtime_error(io_uring_unavailable_message(-ret, io_uring_disabled_sysctl()));
}

std::string describe_flags(unsigned f) {
    std::string out;
    if (f & IORING_SETUP_SINGLE_ISSUER) append_flag(out, "SINGLE_ISSUER");
    if (f & IORING_SETUP_DEFER_TASKRUN) append_flag(out, "DEFER_TASKRUN");
    if (f & IORING_SETUP_COOP_TASKRUN) append_flag(out, "COOP_TASKRUN");
    if (f & IORING_SETUP_TASKRUN_FLAG) append_flag(out, "TASKRUN_FLAG");
    if (f & IORING_SETUP_SUBMIT_ALL) append_flag(out, "SUBMIT_ALL");
    if (f & IORING_SETUP_CQSIZE) append_flag(out, "CQSIZE");
    return out.empty() ? "none" : out;
}

std::string describe_features(const ring_info& info) {
    std::string out;
    if (info.features & IORING_FEAT_FAST_POLL) append_flag(out, "FAST_POLL");
    if (info.features & IORING_FEAT_NODROP) append_flag(out, "NODROP");
    if (info.features & IORING_FEAT_EXT_ARG) append_flag(out, "EXT_ARG");
    if (info.features & IORING_FEAT_CQE_SKIP) append_flag(out, "CQE_SKIP");
    append_flag(out, info.multishot_recv ? "multishot_recv" : "oneshot_recv");
    if (info.send_zc) append_flag(out, "SEND_ZC");
    if (info.msg_ring) append_flag(out, "MSG_RING");
    return out;
}

io_uring_sqe* next_sqe(io_uring& ring) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    while (!sqe) {  // the SQ is full: hand it to the kernel and try again
        io_uring_submit(&ring);
        sqe = io_uring_get_sqe(&ring);
    }
    return sqe;
}

}  // namespace ringhttpd::io
