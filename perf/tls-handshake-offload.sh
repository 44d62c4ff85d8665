#!/usr/bin/env bash
# Does `tls_handshake_offload` pay off? One ring on CPU 0 (its worker threads share that CPU, as
# the bench pins servers), an RSA 2048 or ECDSA P-256 certificate. On CPU 1, wrk keeps 8
# keep-alive TLS connections asking for a 1 KB file while HANDSHAKERS `openssl s_time -new`
# processes (default 3) make full handshakes back to back. Prints, for offload off and on (alternating, ROUNDS times): wrk's
# requests/s and latency percentiles, and the full handshakes/s that s_time got.
#
#   perf/tls-handshake-offload.sh [rsa|ec] [SECONDS] [ROUNDS]     (default: rsa 8 2)
set -euo pipefail
cd "$(dirname "$0")/.."
key_type=${1:-rsa}
seconds=${2:-8}
rounds=${3:-2}
binary=${RINGHTTPD_BINARY:-build/ringhttpd}
work=$(mktemp -d /tmp/ringhttpd-offload.XXXXXX)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
. scripts/lib/free-port.sh
port=$(free_port)

case "$key_type" in
  rsa) key_options=(-newkey rsa:2048) ;;
  ec) key_options=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
  *) echo "usage: $0 [rsa|ec] [SECONDS] [ROUNDS]" >&2; exit 2 ;;
esac
openssl req -x509 "${key_options[@]}" -nodes -days 2 -subj /CN=localhost \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
mkdir "$work/www"
head -c 1024 /dev/urandom >"$work/www/1k.bin"

run() { # offload on|off
  taskset -c 0 "$binary" --threads 1 --workers 2 --listen "127.0.0.1:$port tls" \
    --root "$work/www" --tls-certificate "$work/cert.pem" --tls-certificate-key "$work/key.pem" \
    --tls-handshake-offload "$1" >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$work/server.log" && break; sleep 0.1; done
  local s_times=()
  for i in $(seq 1 "${HANDSHAKERS:-3}"); do
    taskset -c 1 openssl s_time -connect "127.0.0.1:$port" -new -time "$seconds" \
      >"$work/s_time.$i.out" 2>&1 &
    s_times+=($!)
  done
  taskset -c 1 wrk -t1 -c8 -d"${seconds}s" --latency "https://127.0.0.1:$port/1k.bin" \
    >"$work/wrk.out" 2>&1
  wait "${s_times[@]}" || true
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
  local rps p50 p90 p99 handshakes
  rps=$(awk '/^Requests\/sec/ { print $2 }' "$work/wrk.out")
  p50=$(awk '$1 == "50%" { print $2 }' "$work/wrk.out")
  p90=$(awk '$1 == "90%" { print $2 }' "$work/wrk.out")
  p99=$(awk '$1 == "99%" { print $2 }' "$work/wrk.out")
  handshakes=$(awk -v s="$seconds" '/connections in .* real seconds/ { n += $1 }
    END { printf "%.0f", n / s }' "$work"/s_time.*.out)
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$key_type" "$1" "$rps" "$p50" "$p90" "$p99" \
    "${handshakes:-?}"
}

echo "| key | offload | keep-alive req/s | p50 | p90 | p99 | full handshakes/s |"
echo "|---|---|---|---|---|---|---|"
for _ in $(seq 1 "$rounds"); do
  run off
  run on
done
