#!/usr/bin/env bash
# Boots Debian's own kernel (linux-image-amd64: 6.1 on Debian 12) in qemu under TCG and
# smoke-tests ringhttpd on it: a real older kernel, where RINGHTTPD_KERNEL_COMPAT only simulates
# one. The initramfs holds busybox, the release binary with its shared libraries, the default
# site plus a 1 MB file, e1000.ko; scripts/vm/guest-init.sh runs
# the checks inside and reports them on the serial console. The guest also serves TLS, first in
# user space, then with the kernel encrypting what it sends (kTLS): for that it carries the
# openssl CLI as its client, a throwaway certificate, and tls.ko with the AES-GCM modules it
# needs. From outside, the host speaks to
# the guest's server through qemu's user-mode network (restrict=on: nothing leaves qemu; the
# forward listens on 127.0.0.1 only).
#
#   scripts/vm-test.sh [--timeout SECONDS]      exit 0 when every check passed
# Environment: RINGHTTPD_BINARY (default build/ringhttpd), VM_KERNEL (default the newest
# /boot/vmlinuz-6.1.*). Installs what it needs with `scripts/deps.sh vm`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/free-port.sh

timeout_s=300
while [ $# -gt 0 ]; do
  case "$1" in
    --timeout) timeout_s=$2; shift 2 ;;
    *) echo "usage: $0 [--timeout SECONDS]" >&2; exit 2 ;;
  esac
done

scripts/deps.sh vm
binary=${RINGHTTPD_BINARY:-build/ringhttpd}
[ -x "$binary" ] || { echo "vm-test: no $binary; run scripts/build.sh release first" >&2; exit 2; }
kernel=${VM_KERNEL:-$(ls /boot/vmlinuz-6.1.* 2>/dev/null | sort -V | tail -n 1)}
[ -n "$kernel" ] || { echo "vm-test: no /boot/vmlinuz-6.1.*; install linux-image-amd64" >&2; exit 2; }
release=${kernel#/boot/vmlinuz-}
modules=/lib/modules/$release

work=$(mktemp -d /tmp/ringhttpd-vm.XXXXXX)
qemu_pid=
cleanup() {
  [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# ---- the initramfs ----
started=$(date +%s)
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,www,tls,lib/modules,usr/bin,usr/lib/ssl}
cp /bin/busybox "$root/bin/busybox"
cp scripts/vm/guest-init.sh "$root/init"
chmod 755 "$root/init"
cp "$binary" "$root/ringhttpd"
openssl=$(command -v openssl)
cp "$openssl" "$root/usr/bin/openssl"
cp -L /usr/lib/ssl/openssl.cnf "$root/usr/lib/ssl/"
# The shared libraries and the loader, at the paths the binaries ask for.
for lib in $({ ldd "$binary"; ldd "$openssl"; } | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=vm \
  -keyout "$root/tls/key.pem" -out "$root/tls/cert.pem" 2>/dev/null
# tls.ko, and what AES-GCM needs in the kernel (modules in Debian's build; the guest has no
# modprobe to fetch them when the tls module asks for "gcm(aes)"): the generic C version, and
# the AES-NI one a real server would use (as OpenSSL does), so the timing compares like with like.
for module in kernel/drivers/net/ethernet/intel/e1000/e1000.ko kernel/net/tls/tls.ko \
  kernel/crypto/gf128mul.ko kernel/crypto/ghash-generic.ko kernel/crypto/ctr.ko \
  kernel/crypto/gcm.ko kernel/crypto/cryptd.ko kernel/crypto/crypto_simd.ko \
  kernel/arch/x86/crypto/aesni-intel.ko; do
  for candidate in "$modules/$module" "$modules/$module.xz"; do
    [ -f "$candidate" ] || continue
    case "$candidate" in
      *.xz) xz -dc "$candidate" >"$root/lib/modules/$(basename "$module")" ;;
      *) cp "$candidate" "$root/lib/modules/" ;;
    esac
  done
done
[ -f "$root/lib/modules/e1000.ko" ] || { echo "vm-test: no e1000.ko in $modules" >&2; exit 2; }
cp -r static/. "$root/www/"
head -c 1048576 /dev/urandom >"$root/www/big.bin"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"
echo "vm-test: initramfs $(du -h "$work/initramfs.gz" | cut -f1) for $release in $(($(date +%s) - started)) s"

# ---- boot ----
port=$(free_port)
console=$work/console.log
: >"$console"
qemu-system-x86_64 -accel tcg -cpu max -m 1G -smp 1 -nodefaults -no-user-config -no-reboot \
  -display none -monitor none -serial "file:$console" \
  -kernel "$kernel" -initrd "$work/initramfs.gz" -append "console=ttyS0 panic=-1 quiet" \
  -netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:8080" \
  -device e1000,netdev=net0 &
qemu_pid=$!
booted=$(date +%s)

# ---- the host's checks, through the port forward, once the guest asks for them ----
host_failures=0
host_check() {  # name, command...
  local name=$1
  shift
  if "$@"; then echo "vm-test: host PASS $name"; else echo "vm-test: host FAIL $name"; host_failures=$((host_failures + 1)); fi
}
host_checks() {
  local base=http://127.0.0.1:$port
  host_check "static file via hostfwd" bash -c "curl -sf --max-time 20 $base/ | cmp -s - static/index.html"
  host_check "api via hostfwd" bash -c "[ \"\$(curl -sf --max-time 20 $base/api/hello)\" = '{\"message\":\"Hello, World!\"}' ]"
  host_check "worker pool via hostfwd" bash -c "
    for i in 1 2 3 4; do curl -sf --max-time 20 $base/debug/pooled & done | grep -c '^ok$' | grep -qx 4"
  curl -s --max-time 20 -o /dev/null "$base/vmtest/host-done" || true
}

deadline=$((booted + timeout_s))
host_done=0
result=
while [ "$(date +%s)" -lt "$deadline" ]; do
  if [ $host_done = 0 ] && grep -q "VMTEST: HOST-CHECKS-READY" "$console"; then
    host_checks
    host_done=1
  fi
  result=$(grep -a -o "VMTEST-RESULT: .*" "$console" | head -n 1 | tr -d '\r' || true)
  [ -n "$result" ] && break
  kill -0 "$qemu_pid" 2>/dev/null || break
  sleep 0.5
done
elapsed=$(($(date +%s) - booted))
# The guest powers off after its result; give it a moment before cleanup kills qemu.
[ -n "$result" ] && for _ in $(seq 1 20); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done

grep -a "VMTEST" "$console" | tr -d '\r' | sed 's/^/guest: /'
if [ "$result" = "VMTEST-RESULT: PASS" ] && [ $host_done = 1 ] && [ $host_failures = 0 ]; then
  echo "vm-test: PASS on Linux $release in ${elapsed} s (boot to result)"
  exit 0
fi
if [ -z "$result" ]; then
  echo "vm-test: FAIL: no result from the guest within ${timeout_s} s; the console said:" >&2
  tail -n 60 "$console" | tr -d '\r' >&2
else
  echo "vm-test: FAIL on Linux $release (guest: ${result#VMTEST-RESULT: }, host failures: $host_failures)" >&2
fi
exit 1
