#!/usr/bin/env bash
# A real Prometheus (Debian's `prometheus` package) scrapes a running ringhttpd for a few
# seconds: the request count it stored must equal the requests sent. Checks the exposition
# format as Prometheus itself parses it, the metrics listener, and that counts are exact.
#
#     scripts/prometheus-check.sh [path/to/ringhttpd] [requests]   # default: build/ringhttpd 200
#
# Everything runs on loopback on free ports, in a temporary directory that is removed after.
# The requests are HEAD, so that Prometheus' own scrapes (GET /metrics) are not among them.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/ringhttpd}
requests=${2:-200}
for tool in prometheus curl python3; do
  command -v "$tool" >/dev/null || { echo "$0: needs $tool (scripts/deps.sh)" >&2; exit 1; }
done

dir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

. scripts/lib/free-port.sh
web=$(free_port); metrics=$(free_port); prom=$(free_port)

"$binary" --listen "127.0.0.1:$web" --metrics-listen "127.0.0.1:$metrics" --root static \
  --threads 2 >"$dir/ringhttpd.log" 2>&1 &
pids+=($!)

cat >"$dir/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ringhttpd
    static_configs:
      - targets: ["127.0.0.1:$metrics"]
YAML
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
  --web.listen-address="127.0.0.1:$prom" >"$dir/prometheus.log" 2>&1 &
pids+=($!)

# Waits up to $1 seconds for the command that follows to succeed.
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}
query() {
  curl -sf --get "http://127.0.0.1:$prom/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")'
}
# Whether query $1 gives the value $2 now.
query_is() { [ "$(query "$1")" = "$2" ]; }
fail() {
  echo "$0: $*" >&2
  echo "--- ringhttpd log" >&2; tail -20 "$dir/ringhttpd.log" >&2
  echo "--- prometheus log" >&2; tail -20 "$dir/prometheus.log" >&2
  exit 1
}

wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$metrics/healthz" || fail "ringhttpd did not start"
wait_for 15 curl -sf -o /dev/null "http://127.0.0.1:$prom/-/ready" || fail "prometheus did not start"
wait_for 20 query_is 'up{job="ringhttpd"}' 1 || fail "prometheus does not scrape ringhttpd"

# One connection, `requests` HEAD requests (curl's URL globbing keeps it alive).
curl -sf -I -o /dev/null "http://127.0.0.1:$web/?[1-$requests]" || fail "a request failed"

count='sum(ringhttpd_http_requests_total{job="ringhttpd",method="HEAD"})'
if ! wait_for 10 query_is "$count" "$requests"; then
  fail "prometheus holds $(query "$count") requests, $requests were sent"
fi
echo "prometheus-check: Prometheus scraped $requests of $requests requests" \
  "(p99 latency $(query 'histogram_quantile(0.99, sum(rate(ringhttpd_http_request_duration_seconds_bucket[5s])) by (le))')s)"
