#!/usr/bin/env bash
# A/B of two ringhttpd builds by server CPU time per request, in the order A B B A per round so
# that neither build always runs first (on a shared VM the first of a pair measured up to 10 %
# more). Both servers run pinned to CPU 0, wrk -t1 -c64 pinned to CPU 1, 4 s per run.
#   perf/ab.sh A_BINARY B_BINARY [PATH, default /index.html] [ROUNDS, default 4]
# Prints each run's µs of server CPU per request, then the mean and median of each build.
# A_FLAGS / B_FLAGS add flags to one server, to compare settings of one build:
#   B_FLAGS="--metrics-listen 127.0.0.1:0" perf/ab.sh build/ringhttpd build/ringhttpd
set -euo pipefail
a=$1 b=$2 path=${3:-/index.html} rounds=${4:-4}
root=$(cd "$(dirname "$0")/.." && pwd)/static
port_a=$((20000 + RANDOM % 10000)) port_b=$((port_a + 1))
flags=(--threads 1 --root "$root" --security-headers off --keepalive-requests 1000000000)
# shellcheck disable=SC2086 # the extra flags are words
taskset -c 0 "$a" --listen "127.0.0.1:$port_a" "${flags[@]}" ${A_FLAGS:-} >/dev/null 2>&1 & pid_a=$!
# shellcheck disable=SC2086
taskset -c 0 "$b" --listen "127.0.0.1:$port_b" "${flags[@]}" ${B_FLAGS:-} >/dev/null 2>&1 & pid_b=$!
trap 'kill $pid_a $pid_b 2>/dev/null' EXIT
sleep 1

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, in 1/100 s
# µs of server CPU per request for one 4 s wrk run.
run() {
    local before after requests
    before=$(cpu_ticks "$1")
    requests=$(taskset -c 1 wrk -t1 -c64 -d4s "http://127.0.0.1:$2$path" | awk '/requests in/ {print $1}')
    after=$(cpu_ticks "$1")
    awk -v t=$((after - before)) -v n="$requests" 'BEGIN {printf "%.2f", t * 10000 / n}'
}
results_a=() results_b=()
for _ in $(seq "$rounds"); do
    results_a+=("$(run $pid_a $port_a)")
    results_b+=("$(run $pid_b $port_b)")
    results_b+=("$(run $pid_b $port_b)")
    results_a+=("$(run $pid_a $port_a)")
done
summary() {
    printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1; s += $1}
        END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
             printf "mean %.2f, median %.2f us CPU/request", s / NR, m}'
}
echo "A $a ($path): ${results_a[*]}"
echo "B $b ($path): ${results_b[*]}"
echo "A: $(summary "${results_a[@]}")"
echo "B: $(summary "${results_b[@]}")"
