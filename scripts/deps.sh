#!/usr/bin/env bash
# Installs the Debian packages ringhttpd needs to build and test, if any are missing.
# `scripts/deps.sh perf` installs what the benchmark suite needs instead (wrk, the peer servers,
# gnuplot); `scripts/deps.sh vm` what scripts/vm-test.sh needs to boot Debian's kernel in qemu.
# Works as root or through sudo; does nothing when everything is already installed.
set -euo pipefail

if [ "${1:-}" = "perf" ]; then
  # lighttpd-mod-openssl: lighttpd's TLS listener, for perf/bench.py --tls; lighttpd-mod-deflate:
  # its gzip in the production profile (perf/bench.py --production)
  packages=(wrk nghttp2-client nginx-light h2o lighttpd lighttpd-mod-openssl lighttpd-mod-deflate gnuplot-nox slowhttptest curl python3)
elif [ "${1:-}" = "vm" ]; then
  # linux-image-amd64 puts Debian's kernel in /boot and its modules (e1000.ko, tls.ko) in
  # /lib/modules; nothing boots it here, scripts/vm-test.sh hands it to qemu.
  packages=(qemu-system-x86 ipxe-qemu busybox-static linux-image-amd64 cpio xz-utils curl python3)
else
packages=(
  cmake g++ make pkg-config
  liburing-dev libmimalloc-dev libspdlog-dev libfmt-dev nlohmann-json3-dev zlib1g-dev
  libtomlplusplus-dev  # the configuration file (TOML)
  libssl-dev openssl  # TLS listeners (OpenSSL 3.0); the CLI makes the tests' certificates
  node-llhttp   # llhttp's C sources; Debian 12 has no llhttp library package
  libgtest-dev curl python3
  goaccess jq  # the access log checked by the tools that read it
  prometheus    # promtool checks the metrics; a real Prometheus scrapes them (scripts/prometheus-check.sh)
  chromium      # renders the status page headless (tests/e2e/status_page_test)
  systemd yamllint strace  # scripts/systemd-check.sh: the unit, deploy/'s YAML, syscalls traced
  testssl.sh    # scripts/tls-check.sh: protocols, ciphers and vulnerabilities of the TLS listener
  docker-compose  # docker/compose.yml against the Compose schema (scripts/container-check.sh)
)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
