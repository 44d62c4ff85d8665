#!/usr/bin/env bash
# Installs ringhttpd from a build directory into a scratch prefix, builds examples/embed against
# the installed package twice (CMake's find_package, then pkg-config alone), runs each build and
# checks its routes with curl. Fails if the public API or the install rules broke.
#   scripts/example-check.sh [BUILD_DIR, default build]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null

# 1. find_package(ringhttpd), as examples/embed/CMakeLists.txt does.
cmake -S examples/embed -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/cmake-build" -j "$(nproc)" >/dev/null

# 2. pkg-config alone.
pc_dir=$(dirname "$(find "$work/prefix" -name ringhttpd.pc)")
g++ -O2 examples/embed/main.cpp -o "$work/pkg-config-build" \
  $(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs --static ringhttpd)

fail() { echo "example-check: $*" >&2; exit 1; }

# Runs one build of the example and checks every kind of route it has.
check() {
  local binary=$1 log="$work/example.log"
  "$binary" 0 examples/embed/www >"$log" 2>&1 &
  pid=$!
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$log")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || fail "$binary exited: $(cat "$log")"
    sleep 0.1
  done
  [ -n "$port" ] || fail "$binary did not start: $(cat "$log")"
  local base="http://127.0.0.1:$port"
  [ "$(curl -sf "$base/hello/ring")" = "hello, ring" ] || fail "inline route"
  curl -sf "$base/count" | grep -q '^ring [01] answered 1 requests here$' || fail "ring storage"
  [ "$(curl -sf "$base/report")" = '{"report":"ready"}' ] || fail "worker-pool route"
  curl -sf "$base/" | grep -q "embeds ringhttpd" || fail "static directory"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/missing")" = 404 ] || fail "404"
  kill -QUIT "$pid"  # drains, then exits 0
  wait "$pid" || fail "$binary exited with status $? after SIGQUIT"
  pid=""
  echo "example-check: $binary: routes, storage, pool, files and drain work"
}

check "$work/cmake-build/embed_example"
check "$work/pkg-config-build"
