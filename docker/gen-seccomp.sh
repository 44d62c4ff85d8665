#!/usr/bin/env bash
# Writes docker/seccomp.json: the default seccomp profile of Debian 12's containers-common
# (golang-github-containers-common, /usr/share/containers/seccomp.json; podman's default, and
# derived from Docker's) with io_uring_setup, io_uring_enter and io_uring_register allowed, and
# nothing else changed. Docker 25+ denies them by default (EPERM) and podman's profile does not
# list them (ENOSYS), and ringhttpd cannot run without them (docs/docker.md).
#   docker/gen-seccomp.sh           # regenerate docker/seccomp.json
#   docker/gen-seccomp.sh --check   # fail unless the committed file is what the script makes
# SOURCE=path overrides the input profile. Output is jq's, so the same input and jq give the
# same bytes.
set -euo pipefail
cd "$(dirname "$0")"
SOURCE=${SOURCE:-/usr/share/containers/seccomp.json}
OUT=seccomp.json
if [ ! -f "$SOURCE" ]; then
  echo "gen-seccomp: $SOURCE is missing: apt-get install golang-github-containers-common" >&2
  exit 1
fi

generate() {
  # 1. Take io_uring out of every rule that denies it (newer profiles list it in an ERRNO
  #    rule of its own; a rule left without names is dropped). 2. Allow it in a rule of its own,
  #    after the others, with a comment saying where it comes from.
  jq --arg comment "ringhttpd: io_uring (docker/gen-seccomp.sh)" '
    ["io_uring_setup", "io_uring_enter", "io_uring_register"] as $uring
    | .syscalls |= map(if .action != "SCMP_ACT_ALLOW" then .names -= $uring else . end
                       | select(.names | length > 0))
    | .syscalls += [{names: $uring, action: "SCMP_ACT_ALLOW", args: [], comment: $comment,
                     includes: {}, excludes: {}}]
  ' "$SOURCE"
}

if [ "${1:-}" = "--check" ]; then
  if ! diff -u "$OUT" <(generate) >/dev/null; then
    echo "FAIL: docker/seccomp.json differs from what docker/gen-seccomp.sh makes from $SOURCE" \
      "($(dpkg-query -W -f='${Package} ${Version}' golang-github-containers-common 2>/dev/null ||
        echo 'package unknown')); rerun docker/gen-seccomp.sh and commit the result" >&2
    exit 1
  fi
  echo "PASS: docker/seccomp.json is what docker/gen-seccomp.sh makes"
  exit 0
fi
generate > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote docker/$OUT from $SOURCE"
