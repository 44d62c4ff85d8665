#!/usr/bin/env bash
# Runs end-to-end tests once per RINGHTTPD_KERNEL_COMPAT mask, so every fallback for kernels
# older than this one runs in CI: oneshot recv (5.19), no SINGLE_ISSUER (5.19), no DEFER_TASKRUN
# (5.19, 6.0), no cachestat (before 6.5), the eventfd wake (before 6.13). See docs/kernels.md.
#
#   scripts/compat-check.sh [--quick] [BUILD_DIR]     BUILD_DIR defaults to build
#
# By default every end-to-end test under every mask (about two minutes here: 167 tests x 5).
# --quick runs a subset that still touches every fallback: the startup line, static files and
# their semantics (sendfile, ranges, conditionals), the API and other endpoints, pipelining,
# the worker pool and its wake-up, lifecycle (SIGQUIT drain, SIGTERM) and concurrency.
# The masks' own tests (kernel_compat*) set the variable themselves and run in the plain suite.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
build=build
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -*) echo "usage: $0 [--quick] [BUILD_DIR]" >&2; exit 2 ;;
    *) build=$arg ;;
  esac
done

subset='^(http_basics|static_files|static_semantics|endpoints|pipelining|worker_pool|wake/worker_pool_wake|lifecycle|concurrency)\.'
select=(-L e2e -E '^(masks/)?kernel_compat')
[ $quick = 0 ] || select+=(-R "$subset")

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
total_start=$(date +%s)
for mask in 5.19 6.0 6.1 6.5 6.12; do
  start=$(date +%s)
  echo "compat-check: RINGHTTPD_KERNEL_COMPAT=$mask"
  RINGHTTPD_KERNEL_COMPAT=$mask ctest --test-dir "$build" "${select[@]}" -j "$(nproc)" \
    --timeout 300 --output-on-failure
  echo "compat-check: RINGHTTPD_KERNEL_COMPAT=$mask passed in $(($(date +%s) - start)) s"
done
echo "compat-check: every mask passed in $(($(date +%s) - total_start)) s"
