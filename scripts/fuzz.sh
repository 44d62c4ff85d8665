#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) and fuzzes each for a bounded time:
#   scripts/fuzz.sh [seconds per target, default 60]
# Fails on any crash, leak or sanitizer report. Starts from the committed seed corpus
# (tests/fuzz/corpus) in a scratch copy, so the repository is not modified. Then replays the
# request fuzzer's grown corpus over TLS (scripts/tls-corpus.sh).
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
cmake --build build-fuzz -j "$(nproc)" --target request_fuzzer framing_fuzzer
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# request_fuzzer: the whole request path. framing_fuzzer: the parser's message boundaries
# against the reference framing rules (a disagreement aborts). Each gets the time given.
for target in request_fuzzer framing_fuzzer; do
  mkdir "$work/$target"
  cp tests/fuzz/corpus/* "$work/$target/"
  status=0
  build-fuzz/$target -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$work/$target" >"$work/$target.log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    echo "$target found a problem (exit $status):"
    tail -60 "$work/$target.log"
    exit 1
  fi
  echo "$target ran clean for ${seconds}s: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$target.log")"
done
# The corpus request_fuzzer grew, once more over TLS against the real server.
scripts/tls-corpus.sh "$work/request_fuzzer"
