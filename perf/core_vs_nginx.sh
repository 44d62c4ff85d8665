#!/usr/bin/env bash
# Side-by-side check of the core server against nginx on this machine (DESIGN §7): each server
# pinned to CPU 0 with one thread/worker, wrk pinned to CPU 1, the same 1 KB index.html.
# Each server is measured ROUNDS times, alternating, and the median requests/s is reported.
#   perf/core_vs_nginx.sh [seconds per run, default 10] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
rounds=${2:-3}
command -v wrk >/dev/null && command -v nginx >/dev/null || {
  echo "needs wrk and nginx: apt-get install wrk nginx-light" >&2; exit 2; }
scripts/build.sh release >/dev/null

dir=$(mktemp -d /tmp/ringhttpd-bench-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
mkdir -p "$dir/www"
python3 -c "import sys; sys.stdout.write(('<p>ringhttpd benchmark page</p>\n' * 40)[:1024])" > "$dir/www/index.html"

ring_port=18080 nginx_port=18081
taskset -c 0 build/ringhttpd --listen 127.0.0.1:$ring_port --root "$dir/www" --threads 1 2>"$dir/ringhttpd.log" &
sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$nginx_port|g" -e "s|@ROOT@|$dir/www|g" perf/nginx.conf.in > "$dir/nginx.conf"
taskset -c 0 nginx -c "$dir/nginx.conf" &
sleep 1
for port in $ring_port $nginx_port; do
  curl -sf -o /dev/null "http://127.0.0.1:$port/index.html" || { echo "server on $port is not answering" >&2; exit 1; }
done

run() {  # prints requests/s
  taskset -c 1 wrk -t1 -c64 -d"${duration}s" "http://127.0.0.1:$1/index.html" | awk '/Requests\/sec/ {print $2}'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for port in $ring_port $nginx_port; do taskset -c 1 wrk -t1 -c64 -d2s "http://127.0.0.1:$port/index.html" >/dev/null; done
ring_runs=() nginx_runs=()
for ((i = 0; i < rounds; i++)); do
  ring_runs+=("$(run $ring_port)")
  nginx_runs+=("$(run $nginx_port)")
done
ring=$(printf '%s\n' "${ring_runs[@]}" | median)
ngx=$(printf '%s\n' "${nginx_runs[@]}" | median)
echo "wrk -t1 -c64 -d${duration}s, 1 KB index.html, server on CPU 0, wrk on CPU 1, median of $rounds"
echo "ringhttpd --threads 1: ${ring_runs[*]} -> median $ring req/s"
echo "nginx 1 worker:        ${nginx_runs[*]} -> median $ngx req/s"
awk -v a="$ring" -v b="$ngx" 'BEGIN {printf "ratio ringhttpd/nginx: %.2f\n", a / b}'
