#!/usr/bin/env bash
# Configures and builds one flavour of ringhttpd: scripts/build.sh [release|sanitize|tsan]
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release)  dir=build;          flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  sanitize) dir=build-sanitize; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DRINGHTTPD_SANITIZE=address) ;;
  tsan)     dir=build-tsan;     flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DRINGHTTPD_SANITIZE=thread) ;;
  *) echo "usage: $0 [release|sanitize|tsan]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
