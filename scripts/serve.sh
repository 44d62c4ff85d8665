#!/usr/bin/env bash
# Installs what is missing, builds, and serves static/ on http://127.0.0.1:8080.
# Extra arguments go to ringhttpd (e.g. --listen 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh release
exec build/ringhttpd --listen 127.0.0.1:8080 --root static "$@"
