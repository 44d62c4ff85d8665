#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite: first the Release build,
# then the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer, then built with
# ThreadSanitizer (the rings and the worker pool share inboxes, caches and limits).
# scripts/test.sh --quick skips the sanitizer passes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

# The end-to-end tests open over a thousand sockets at once.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

scripts/build.sh release
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 300)
# The fallbacks for older kernels: end-to-end tests under each RINGHTTPD_KERNEL_COMPAT mask.
scripts/compat-check.sh build
# The library as embedders get it: installed, then examples/embed built against it and run.
scripts/example-check.sh build

if [ "${1:-}" != "--quick" ]; then
  scripts/build.sh sanitize
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  (cd build-sanitize && ctest --output-on-failure -j "$(nproc)" --timeout 300)

  scripts/build.sh tsan
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
  (cd build-tsan && ctest --output-on-failure -j "$(nproc)" --timeout 300)
fi
