// Measurement only: lets the static-file path run under valgrind 3.19, which answers openat2
// (syscall 437) with ENOSYS, so that every file request would get a 500. Preloaded into the
// server, it forwards openat2 as a plain openat with the same flags. That drops the kernel's
// RESOLVE_BENEATH containment, so never use it outside a measurement on files you own. A cached
// file is opened once and then served from the cache (revalidated with fstatat), so the
// instructions counted per request do not depend on which open ran.
//
//   gcc -O2 -shared -fPIC -o /tmp/valgrind_openat2.so perf/valgrind_openat2.c -ldl
//   LD_PRELOAD=/tmp/valgrind_openat2.so valgrind --tool=callgrind build/ringhttpd ...
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <sys/syscall.h>

long syscall(long number, ...) {
    va_list ap;
    va_start(ap, number);
    long args[6];
    for (int i = 0; i < 6; i++) args[i] = va_arg(ap, long);
    va_end(ap);
    if (number == SYS_openat2) {
        const struct open_how* how = (const struct open_how*)args[2];
        return openat((int)args[0], (const char*)args[1], (int)how->flags, (mode_t)how->mode);
    }
    static long (*real)(long, ...);
    if (!real) real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
    return real(number, args[0], args[1], args[2], args[3], args[4], args[5]);
}
