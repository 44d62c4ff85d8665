#!/usr/bin/env bash
# Replays a fuzzer corpus over TLS: starts build/ringhttpd (building it if missing) with a TLS
# listener and a throwaway certificate, sends each file over its own TLS connection
# (tests/e2e/tls_client.py corpus), and fails if the server dies or stops answering.
#   scripts/tls-corpus.sh [corpus dir, default tests/fuzz/corpus]
# scripts/fuzz.sh runs it on the corpus its fuzzing grew.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/free-port.sh
corpus=${1:-tests/fuzz/corpus}
if [ ! -x build/ringhttpd ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j "$(nproc)" --target ringhttpd
fi
work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=a.test \
  -addext subjectAltName=DNS:a.test -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
mkdir "$work/www"
printf 'site a\n' >"$work/www/index.html"
port=$(free_port)
build/ringhttpd --root "$work/www" --listen "127.0.0.1:$port tls" --tls-certificate "$work/cert.pem" \
  --tls-certificate-key "$work/key.pem" --client-header-timeout 2s >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/server.log" && break
  sleep 0.1
done
result=$(python3 tests/e2e/tls_client.py corpus "$port" "$work/cert.pem" "$corpus" 2>&1 || true)
if [ "${result%% *}" != ok ] || ! kill -0 "$server" 2>/dev/null; then
  echo "tls-corpus: $result"
  tail -20 "$work/server.log"
  exit 1
fi
echo "tls-corpus: ${result#ok } files of $corpus over TLS, answered or waited on; the server still serves"
