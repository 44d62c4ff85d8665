#!/usr/bin/env bash
# Checks deploy/ (docs/deployment.md), in well under a minute:
#   1. deploy/systemd/ringhttpd.service: `systemd-analyze verify` prints nothing, and
#      `systemd-analyze security --offline=true` rates it OK or better (exposure <= 4.9).
#   2. The server under what the unit imposes, as far as a machine without systemd as PID 1
#      allows: a non-root user with CAP_NET_BIND_SERVICE as its only (ambient) capability and
#      no-new-privs serves on a port below 1024, reloads, upgrades its binary (the new process
#      keeps the capability) and drains; an strace of all that is held against the unit's
#      SystemCallFilter, RestrictAddressFamilies and MemoryDenyWriteExecute. Type=notify itself
#      is tested by tests/e2e/systemd_notify_test.cpp (a socket standing in for systemd's).
#   3. deploy/: yamllint --strict, and the Kubernetes manifests fit together and their
#      configuration passes `ringhttpd -t`.
# usage: scripts/systemd-check.sh [BINARY]   (default build/ringhttpd, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath -m "${1:-build/ringhttpd}")
[ -x "$binary" ] || scripts/build.sh release
unit=deploy/systemd/ringhttpd.service
work=$(mktemp -d)
server=""
cleanup() {
  # On a failure: the servers this script started (a tracee outlives its killed tracer), known
  # by the pids in the trace that still run our copy of the binary.
  if [ -n "$server" ]; then
    awk '{ print $1 }' "$work/trace" | sort -u | while read -r pid; do
      [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$work/ringhttpd" ] && kill -KILL "$pid"
    done
    kill -KILL "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "systemd-check: FAIL: $*" >&2; exit 1; }

# --- 1. the unit ----------------------------------------------------------------------------
# verify wants ExecStart's binary to exist: the copy differs only in that path (shown).
installed=/usr/local/bin/ringhttpd
sed "s|^ExecStart=$installed |ExecStart=$binary |" "$unit" > "$work/ringhttpd.service"
[ "$(diff "$unit" "$work/ringhttpd.service" | grep -c '^>')" = 1 ] ||
  fail "expected exactly one ExecStart=$installed line in $unit"
echo "verify: $unit with ExecStart=$binary"
out=$(systemd-analyze verify "$work/ringhttpd.service" 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify is not clean: $out"
mkdir "$work/root"
out=$(systemd-sysusers --dry-run --root="$work/root" - <deploy/systemd/ringhttpd.sysusers 2>&1) ||
  fail "systemd-sysusers refuses deploy/systemd/ringhttpd.sysusers: $out"

# systemd 252 rates the exposure (0.0-10.0) PERFECT 0, SAFE < 1, OK < 5, MEDIUM < 7.5,
# EXPOSED < 9, UNSAFE < 10, DANGEROUS 10; --threshold takes tenths.
security=$(systemd-analyze security --offline=true --threshold=49 "$unit" 2>&1) ||
  { echo "$security"; fail "exposure above 4.9"; }
overall=$(grep -o 'Overall exposure level for ringhttpd.service: [0-9.]* [A-Z]*' <<<"$security") ||
  fail "no overall exposure level in: $security"
read -r score rating <<<"${overall##*: }"
echo "security: exposure $score $rating"
case "$rating" in PERFECT | SAFE | OK) ;; *) fail "rated $rating, not OK or better" ;; esac

# --- 2. the server under the unit's restrictions --------------------------------------------
free_port() {  # the first free TCP port in [$1, $2]
  python3 - "$1" "$2" <<'PY'
import socket, sys
for port in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
PY
}
port=$(free_port 80 1023)
metrics=$(free_port 19145 19999)
{ [ -n "$port" ] && [ -n "$metrics" ]; } || fail "no free port"
# Copies nobody can read wherever this checkout is; nobody stands in for the ringhttpd user.
install -d -m 0777 "$work/logs"
install -m 0755 "$binary" "$work/ringhttpd"
install -m 0644 deploy/systemd/ringhttpd.toml "$work/ringhttpd.toml"
cp -r static "$work/www" && chmod -R a+rX "$work"
install -m 0666 /dev/null "$work/trace"
log="$work/server.log"
# The unit's sample configuration, with addresses, site and log directory of this machine.
# NOTIFY_SOCKET names a socket nobody binds: the notifications' system calls get traced too.
NOTIFY_SOCKET="@ringhttpd-systemd-check-$$" setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs \
  --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service \
  --bounding-set=-all,+net_bind_service -- \
  strace -f -qq -o "$work/trace" -- "$work/ringhttpd" -c "$work/ringhttpd.toml" \
  --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$metrics" --root "$work/www" \
  --access-log "$work/logs/access.log" --threads 2 >"$log" 2>&1 &
server=$!
wait_log() {  # waits until the log says $1 (up to 10 s)
  for _ in $(seq 100); do grep -q -- "$1" "$log" && return 0; sleep 0.1; done
  cat "$log" >&2
  fail "the server did not log '$1'"
}
get() { curl -fsS -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
wait_log "listening on http://127.0.0.1:$port"
main=$(awk 'NR == 1 { print $1 }' "$work/trace")
[ "$(get "http://127.0.0.1:$port/")" = 200 ] || fail "GET / on port $port"
[ "$(get -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/index.html")" = 200 ] || fail "gzip"
[ "$(get "http://127.0.0.1:$metrics/readyz")" = 200 ] || fail "/readyz"
[ "$(get "http://127.0.0.1:$metrics/metrics")" = 200 ] || fail "/metrics"
echo "server: uid $(awk '/^Uid:/ { print $2 }' "/proc/$main/status") serves on port $port," \
  "capabilities $(awk '/^CapEff:/ { print $2 }' "/proc/$main/status")"
kill -HUP "$main"
wait_log "reload 1: applied"
kill -USR1 "$main"
kill -USR2 "$main"
wait_log "upgrade: process [0-9]* serves"
next=$(grep -o 'upgrade: process [0-9]* serves' "$log" | grep -o '[0-9]*')
[ "$(awk '/^CapEff:/ { print $2 }' "/proc/$next/status")" = 0000000000000400 ] ||
  fail "the upgraded process lost CAP_NET_BIND_SERVICE"
[ "$(get "http://127.0.0.1:$port/")" = 200 ] || fail "GET / after the upgrade"
wait_log "drained, exiting"
kill -QUIT "$next"
wait "$server" || fail "strace or the server failed"
server=""
[ "$(grep -c 'drained, exiting' "$log")" = 2 ] || { cat "$log" >&2; fail "a process did not drain"; }
grep -q '"GET / HTTP/1.1" 200' "$work/logs/access.log" || fail "no access log line"
scripts/syscall-filter-check.py "$unit" "$work/trace" || fail "the unit's filters refuse the server"
echo "  traced: $(sed -nE 's/^[0-9]+ +([a-z_0-9]+)\(.*/\1/p' "$work/trace" | sort -u | tr '\n' ' ')"

# --- 3. deploy/ as YAML, and the Kubernetes manifests ---------------------------------------
yamllint --strict deploy/ || fail "yamllint"
echo "yamllint: deploy/ clean"
scripts/k8s-check.py deploy/k8s "$work/k8s.toml" || fail "the Kubernetes manifests"
"$binary" -t -c "$work/k8s.toml" --root "$work/www" --listen "127.0.0.1:$port" \
  --metrics-listen "127.0.0.1:$metrics" >/dev/null || fail "the ConfigMap's configuration"
stop=$(grep -o '^TimeoutStopSec=[0-9]*' "$unit" | cut -d= -f2)
drain=$(grep -o '^shutdown_timeout = "[0-9]*s"' deploy/systemd/ringhttpd.toml | grep -o '[0-9]*')
[ "$stop" -gt "$drain" ] || fail "TimeoutStopSec=$stop does not cover shutdown_timeout ${drain}s"
echo "systemd-check: all passed"
