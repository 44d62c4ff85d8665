#!/usr/bin/env bash
# Builds the libFuzzer target (clang, ASan+UBSan) and fuzzes the request path for a bounded time:
#   scripts/fuzz.sh [seconds, default 60]
# Fails on any crash, leak or sanitizer report. Starts from the committed seed corpus
# (tests/fuzz/corpus) in a scratch copy, so the repository is not modified.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
scripts/deps.sh
if ! command -v clang++ >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends clang libclang-rt-dev
fi
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRINGHTTPD_FUZZ=ON \
  -DRINGHTTPD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target request_fuzzer
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cp tests/fuzz/corpus/* "$work/corpus/"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
build-fuzz/request_fuzzer -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzzer found a problem (exit $status):"
  tail -60 "$work/log"
  exit 1
fi
echo "fuzzing ran clean for ${seconds}s: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/log")"
