#!/usr/bin/env bash
# The server on a host where the sysctl kernel.io_uring_disabled (Linux 6.6+) turns io_uring off:
# with 2 (off for everyone) and with 1 (off for all but root and kernel.io_uring_group, so the
# server runs as nobody), it must exit 1 at once with a message that names the sysctl and the
# fix. The VM test cannot cover this: Debian 12's 6.1 kernel has no such sysctl.
#
# It changes a host-wide setting for about a second per value and puts the old value back on
# any exit, so run it when nothing else on the host needs io_uring (CI runs it between steps).
# Usage: scripts/io-uring-disabled-check.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build}/ringhttpd
sysctl_file=/proc/sys/kernel/io_uring_disabled

if [ ! -e "$sysctl_file" ]; then
    echo "io-uring-disabled-check: SKIP: $(uname -r) has no kernel.io_uring_disabled (Linux 6.6+)"
    exit 0
fi
before=$(cat "$sysctl_file")
trap 'echo "$before" > "$sysctl_file"' EXIT

check() {
    local value=$1 expected=$2
    shift 2
    echo "$value" > "$sysctl_file"
    local started=$SECONDS status=0 output
    output=$(timeout 10 "$@" "$binary" --listen 127.0.0.1:0 --root static 2>&1) || status=$?
    echo "$before" > "$sysctl_file"
    if [ "$status" != 1 ] || ! grep -qF "$expected" <<<"$output" || ((SECONDS - started > 5)); then
        echo "io-uring-disabled-check: FAIL with io_uring_disabled=$value: exit $status, output:"
        echo "$output"
        exit 1
    fi
    echo "io-uring-disabled-check: io_uring_disabled=$value: exit 1 at once, message names it"
}

check 2 "kernel.io_uring_disabled is 2"
check 1 "kernel.io_uring_group" setpriv --reuid=65534 --regid=65534 --clear-groups
echo "io-uring-disabled-check: all passed"
