#!/usr/bin/env bash
# The container image's CI check (issue 18), with podman + runc instead of a Docker engine:
# builds docker/Dockerfile, runs the image with docker/seccomp.json on the host network and
#  - serves /, /api/hello and a 1 MB file, byte for byte, and logs them on stdout;
#  - runs as a non-root user and answers `ringhttpd healthcheck` (the image's HEALTHCHECK);
#  - drains on `podman stop` (STOPSIGNAL SIGQUIT): a slow request in flight completes, exit 0;
#  - under podman's default seccomp profile (ENOSYS) and a Docker-like one (EPERM), exits at once
#    with the message that names --security-opt seccomp=docker/seccomp.json;
# lints docker/compose.yml and prints the image size. A few minutes, most of it compiling in the
# build stage.
#   scripts/container-check.sh          # a fresh podman store in a temporary folder, removed after
#   WORK=DIR scripts/container-check.sh # keep the store (images, base) in DIR for the next try
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
own_work=0
if [ -z "${WORK:-}" ]; then
  WORK=$(mktemp -d /tmp/ringhttpd-ctr.XXXXXX)
  own_work=1
fi
# Set before anything can fail: the cleanup's podman commands must never reach the host's store.
export WORK CONTAINERS_STORAGE_CONF=$WORK/storage.conf CONTAINERS_CONF=$WORK/containers.conf
IMAGE=localhost/ringhttpd:ci
NAME=ringhttpd-ci-$$
t() { echo "[$(date +%T)] $*"; }
pass() { t "PASS: $*"; }
ms() { date +%s%3N; }
secs() { printf '%d.%02d' $(($1 / 1000)) $(($1 % 1000 / 10)); } # milliseconds as seconds

containers=()
cleanup() {
  set +e
  for c in "${containers[@]}"; do podman rm -f -t 0 "$c" >/dev/null 2>&1; done
  if [ "$own_work" = 1 ]; then
    podman rmi -af >/dev/null 2>&1
    # podman's overlay driver bind-mounts its folder on itself; it outlives the images.
    mountpoint -q "$WORK/storage/overlay" && umount "$WORK/storage/overlay"
    rm -rf --one-file-system "$WORK"
  fi
}
trap cleanup EXIT
fail() {
  set +e # report, then exit 1, whatever the reporting commands return
  t "FAIL: $*"
  for c in "${containers[@]}"; do
    echo "--- podman logs $c (last 30 lines)"
    podman logs "$c" 2>&1 | tail -n 30
  done
  exit 1
}

# The compose file: running it needs host ports 8080 and 8081 (docs/docker.md says how it was
# run by hand); here yamllint, and docker-compose's schema check, which needs no daemon.
if ! command -v yamllint >/dev/null || ! command -v docker-compose >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo # scripts/deps.sh installs both; alone, just these
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    yamllint docker-compose >/dev/null
fi
yamllint -s docker/compose.yml || fail "yamllint docker/compose.yml"
# From docker/: Compose v1 reads the seccomp profile's path from where it runs (v2 and
# podman-compose from the compose file's folder).
(cd docker && docker-compose -f compose.yml config -q) || fail "docker-compose config: docker/compose.yml"
pass "docker/compose.yml passes yamllint and docker-compose config"

# Installs podman (and with it containers-common's default profile), configures it under WORK,
# makes the base image and builds ours.
build_start=$(date +%s)
scripts/container-images.sh ringhttpd || fail "image build"
build_s=$(($(date +%s) - build_start))
pass "built $IMAGE in ${build_s}s"
docker/gen-seccomp.sh --check || fail "docker/seccomp.json is stale"

size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
[ "$(podman image inspect --format '{{.Config.User}}' "$IMAGE")" = "10001:10001" ] ||
  fail "the image's USER is not 10001:10001"
[[ "$(podman image inspect --format '{{.Config.Healthcheck.Test}}' "$IMAGE")" == *healthcheck* ]] ||
  fail "the image has no HEALTHCHECK"
[ "$(podman image inspect --format '{{.Config.StopSignal}}' "$IMAGE")" = "SIGQUIT" ] ||
  fail "the image's STOPSIGNAL is not SIGQUIT"

. scripts/lib/free-port.sh
PORT=$(free_port)
MPORT=$(free_port)
URL=http://127.0.0.1:$PORT
head -c 1048576 /dev/urandom > "$WORK/1m.bin"
chmod 0644 "$WORK/1m.bin"
chmod 0755 "$WORK"

# Host network: the sandbox has no container networking. Free ports instead of 8080 and 9145,
# which something else on the host may hold; flags after the image name override the baked
# config. --debug-routes gives /debug/delay, the slow request of the drain check below.
t "running $IMAGE with docker/seccomp.json on $URL"
containers+=("$NAME")
podman run -d --name "$NAME" --network=host --read-only --no-healthcheck \
  --security-opt seccomp=docker/seccomp.json \
  -v "$WORK/1m.bin:/srv/www/1m.bin:ro" \
  "$IMAGE" -c /etc/ringhttpd/ringhttpd.toml \
  --listen "127.0.0.1:$PORT" --metrics-listen "127.0.0.1:$MPORT" --debug-routes >/dev/null
for _ in $(seq 1 100); do
  curl -fsS -m 2 -o /dev/null "$URL/" 2>/dev/null && break
  [ "$(podman inspect -f '{{.State.Running}}' "$NAME")" = true ] || fail "the container exited"
  sleep 0.1
done

curl -fsS -m 5 "$URL/" -o "$WORK/index.html" || fail "GET /"
cmp -s "$WORK/index.html" static/index.html || fail "GET / is not static/index.html"
pass "GET / is the baked site's index.html"
hello=$(curl -fsS -m 5 "$URL/api/hello?name=container") || fail "GET /api/hello"
[ "$hello" = '{"message":"Hello, container!"}' ] || fail "GET /api/hello answered $hello"
pass "GET /api/hello: $hello"
curl -fsS -m 10 "$URL/1m.bin" -o "$WORK/1m.got" || fail "GET /1m.bin"
cmp -s "$WORK/1m.bin" "$WORK/1m.got" || fail "GET /1m.bin: the 1 MB file differs"
pass "GET /1m.bin: 1 MB, the same bytes as the mounted file"

pid=$(podman inspect -f '{{.State.Pid}}' "$NAME")
uids=$(awk '/^Uid:/{print $2, $3, $4, $5}' "/proc/$pid/status")
gids=$(awk '/^Gid:/{print $2, $3, $4, $5}' "/proc/$pid/status")
if [ "$uids" != "10001 10001 10001 10001" ] || [ "$gids" != "10001 10001 10001 10001" ]; then
  fail "the server runs as uid $uids, gid $gids, not 10001"
fi
pass "the server (host pid $pid) runs as uid and gid 10001, not root"

podman exec "$NAME" /usr/local/bin/ringhttpd healthcheck "http://127.0.0.1:$MPORT/healthz" ||
  fail "ringhttpd healthcheck in the container"
pass "ringhttpd healthcheck (exec in the container) exits 0"

sleep 0.5 # the access log is written five times a second
podman logs "$NAME" > "$WORK/stdout.log" 2>/dev/null
grep -q '"GET /api/hello?name=container HTTP/1.1" 200 ' "$WORK/stdout.log" ||
  fail "no access log line for /api/hello on the container's stdout"
pass "access log on stdout (podman logs)"

# The image as shipped, its own config (8080, 9145) in a network namespace of its own: the
# image's HEALTHCHECK, run once by podman (no systemd here to run it on a timer).
containers+=("$NAME-hc")
podman run -d --name "$NAME-hc" --network=none --read-only \
  --security-opt seccomp=docker/seccomp.json "$IMAGE" >/dev/null 2>"$WORK/hc.err"
for _ in $(seq 1 50); do
  podman healthcheck run "$NAME-hc" >/dev/null 2>&1 && break
  sleep 0.1
done
[ "$(podman inspect -f '{{.State.Health.Status}}' "$NAME-hc")" = healthy ] ||
  fail "the image's HEALTHCHECK with its own config did not report healthy"
pass "the image's HEALTHCHECK, its own config, network none: healthy"
podman rm -f -t 0 "$NAME-hc" >/dev/null 2>&1

# The drain: a 3 s request in flight when `podman stop` sends the image's STOPSIGNAL (SIGQUIT).
curl -sS -m 20 "$URL/debug/delay?ms=3000" -o "$WORK/slow.out" -w '%{http_code}' \
  > "$WORK/slow.code" 2>"$WORK/slow.err" &
slow=$!
for _ in $(seq 1 50); do
  [ "$(curl -fsS -m 2 "$URL/debug/running" 2>/dev/null | tr -dc 0-9)" = 1 ] && break
  sleep 0.1
done
stop_start=$(ms)
podman stop -t 25 "$NAME" >/dev/null || fail "podman stop"
stop_ms=$(($(ms) - stop_start))
wait "$slow" || fail "the slow request failed during the drain: $(cat "$WORK/slow.err")"
if [ "$(cat "$WORK/slow.code")" != 200 ] || ! grep -q "slept 3000 ms" "$WORK/slow.out"; then
  fail "the slow request got $(cat "$WORK/slow.code") $(cat "$WORK/slow.out")"
fi
code=$(podman inspect -f '{{.State.ExitCode}}' "$NAME")
[ "$code" = 0 ] || fail "the container exited $code after podman stop (SIGQUIT), not 0"
pass "podman stop (SIGQUIT) drained: the 3 s request completed with 200, exit 0 after $(secs $stop_ms)s"
podman logs "$NAME" > "$WORK/all.log" 2>&1
grep -q "drained, exiting" "$WORK/all.log" || fail "no 'drained, exiting' in the log"

# Without the profile: podman's default (io_uring not listed: ENOSYS), and Docker 25+'s way of
# denying it (EPERM), as the same profile with EPERM for what it does not list.
jq '.defaultErrnoRet = 1 | .defaultErrno = "EPERM"' /usr/share/containers/seccomp.json \
  > "$WORK/eperm-seccomp.json"
for profile in default "$WORK/eperm-seccomp.json"; do
  label=$([ "$profile" = default ] && echo "podman's default profile" || echo "an EPERM profile")
  secopt=()
  [ "$profile" = default ] || secopt=(--security-opt "seccomp=$profile")
  name=$NAME-$((${#containers[@]}))
  containers+=("$name")
  t0=$(ms)
  rc=0
  timeout 30 podman run --name "$name" --network=host --no-healthcheck "${secopt[@]}" "$IMAGE" \
    -c /etc/ringhttpd/ringhttpd.toml --listen "127.0.0.1:$(free_port)" \
    --metrics-listen "127.0.0.1:$(free_port)" > "$WORK/blocked.log" 2>&1 || rc=$?
  took=$(($(ms) - t0))
  if [ "$rc" = 0 ] || [ "$rc" = 124 ]; then fail "under $label the server exited $rc"; fi
  if ! grep -q "io_uring is unavailable" "$WORK/blocked.log" ||
    ! grep -q -- "--security-opt seccomp=docker/seccomp.json" "$WORK/blocked.log"; then
    fail "under $label the message does not name the fix: $(cat "$WORK/blocked.log")"
  fi
  [ "$took" -lt 8000 ] || fail "under $label the server took $(secs $took)s to give up"
  pass "under $label: exit $rc after $(secs $took)s (container start included): $(grep -o 'io_uring_setup: [^)]*' "$WORK/blocked.log")"
done

t "image size: $IMAGE $size bytes, $((size / 1000000)).$((size % 1000000 / 100000)) MB" \
  "uncompressed (podman image inspect .Size)"
t "PASS: container checks done in $(($(date +%s) - started))s (image build ${build_s}s)"
