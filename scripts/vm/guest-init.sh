#!/bin/busybox sh
# /init of the test VM that scripts/vm-test.sh boots: a busybox userland, the ringhttpd binary
# with its shared libraries, and Debian's kernel. It smoke-tests the server on that real kernel
# and reports on the serial console, one line per check:
#   VMTEST: PASS <check> | VMTEST: FAIL <check>: <why> | VMTEST: SKIP <check>: <why>
# and last "VMTEST-RESULT: PASS" or "VMTEST-RESULT: FAIL <count>", which the host waits for.
# Midway it prints "VMTEST: HOST-CHECKS-READY" and waits (at most a minute) for the host to
# request /vmtest/host-done through qemu's port forward, so the host can test from outside.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp

failures=0
pass() { echo "VMTEST: PASS $1"; }
fail() {
    echo "VMTEST: FAIL $1: $2"
    failures=$((failures + 1))
}
skip() { echo "VMTEST: SKIP $1: $2"; }

finish() {
    if [ "$failures" -eq 0 ]; then echo "VMTEST-RESULT: PASS"; else echo "VMTEST-RESULT: FAIL $failures"; fi
    sync
    poweroff -f
}

url=http://127.0.0.1:8080

# Waits up to 20 s for $server's startup line in $log; prints the log and fails if it exits first.
await_startup() {
    for _ in $(seq 1 200); do
        grep -q "listening on" "$log" && return 0
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    cat "$log"
    return 1
}

# Starts the server in the background with the environment assignments given as arguments
# (e.g. RINGHTTPD_KERNEL_COMPAT=5.19); waits for its startup line. Sets $server and $log.
start_server() {
    log=/tmp/server-$#-$1.log
    env "$@" /ringhttpd --listen 0.0.0.0:8080 --root /www --debug-routes \
        --access-log /tmp/access.log >"$log" 2>&1 &
    server=$!
    await_startup
}

# Stops the server with SIGQUIT (a graceful drain) and checks that it exits 0 within 20 s.
drain_server() {
    kill -QUIT "$server"
    for _ in $(seq 1 200); do
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$server" 2>/dev/null; then
        kill -KILL "$server"
        wait "$server"
        return 124
    fi
    wait "$server"
}

# The startup line must say `name=value`, or for a list field contain `value`.
expect_field() {
    grep "listening on" "$log" | grep -q -- "$1" || {
        fail "$2" "startup line lacks '$1': $(grep 'listening on' "$log")"
        return 1
    }
}

# Three requests in one write, the last one answered on the worker pool. nc's input stays open
# until the server has closed (after the Connection: close answer): nc half-closes when its
# input ends, and the server takes a FIN during pool work for a client that left (as nginx
# does, 499) and drops that answer.
pipelined_ok() {
    {
        printf 'GET /api/hello HTTP/1.1\r\nHost: vm\r\n\r\nGET /style.css HTTP/1.1\r\nHost: vm\r\n\r\nGET /debug/pooled HTTP/1.1\r\nHost: vm\r\nConnection: close\r\n\r\n'
        sleep 3
    } | timeout 10 nc 127.0.0.1 8080 >/tmp/pipelined.out
    [ "$(grep -o 'HTTP/1.1 200 OK' /tmp/pipelined.out | wc -l)" = 3 ]
}

echo "VMTEST: kernel $(uname -r)"
ip link set lo up
if insmod /lib/modules/e1000.ko && ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0; then
    pass "network (e1000.ko)"
else
    fail "network (e1000.ko)" "could not bring eth0 up"
fi

# ---- the full-feature path of this kernel ----
if ! start_server RINGHTTPD_KERNEL_COMPAT=; then
    fail startup "the server did not start"
    finish
fi
pass startup
# 6.1: DEFER_TASKRUN and multishot recv, but neither ring-less MSG_RING (6.13) nor cachestat (6.5).
expect_field "worker_wake=eventfd" "worker wake is the eventfd" && pass "worker wake is the eventfd"
expect_field "DEFER_TASKRUN" "ring flags" && expect_field "multishot_recv" "ring flags" &&
    pass "ring flags: DEFER_TASKRUN, multishot recv"
expect_field "page_cache_check=off" "no cachestat" && pass "no cachestat before 6.5"
expect_field "compat=off" "no mask" && pass "no mask"

if wget -q -O /tmp/index.html "$url/" && cmp -s /tmp/index.html /www/index.html; then
    pass "static file"
else
    fail "static file" "GET / did not return static/index.html"
fi
if wget -q -O /tmp/big.bin "$url/big.bin" && cmp -s /tmp/big.bin /www/big.bin; then
    pass "1 MB file (sendfile)"
else
    fail "1 MB file (sendfile)" "GET /big.bin differs"
fi
hello=$(wget -q -O - "$url/api/hello")
if [ "$hello" = '{"message":"Hello, World!"}' ]; then pass "api"; else fail "api" "got '$hello'"; fi
if pipelined_ok; then pass "pipelining"; else fail "pipelining" "$(grep -o "HTTP/1.1 [0-9]*" /tmp/pipelined.out | tr "\n" " ")"; fi

# The worker pool and its eventfd wake: eight jobs at once, each answered.
jobs=
for i in 1 2 3 4 5 6 7 8; do
    wget -q -O "/tmp/pooled.$i" "$url/debug/pooled" &
    jobs="$jobs $!"
done
wait $jobs # by id: a bare wait would wait for the server too
pooled=$(cat /tmp/pooled.* | grep -c '^ok$')
if [ "$pooled" = 8 ]; then pass "worker pool"; else fail "worker pool" "$pooled of 8 answered"; fi

echo "VMTEST: HOST-CHECKS-READY"
for _ in $(seq 1 600); do
    grep -q "/vmtest/host-done" /tmp/access.log 2>/dev/null && break
    sleep 0.1
done
if grep -q "/vmtest/host-done" /tmp/access.log 2>/dev/null; then
    pass "host reached the guest through the port forward"
else
    fail "host checks" "the host never requested /vmtest/host-done"
fi

# SIGQUIT drains: the request on the pool when the signal comes still gets its answer.
wget -q -O /tmp/delay.out "$url/debug/delay?ms=1500" &
client=$!
for _ in $(seq 1 100); do
    [ "$(wget -q -O - "$url/debug/running")" = 1 ] && break
    sleep 0.05
done
if drain_server; then
    wait "$client"
    if grep -q "slept 1500 ms" /tmp/delay.out; then
        pass "SIGQUIT drain: exit 0, in-flight request answered"
    else
        fail "SIGQUIT drain" "the in-flight request got '$(cat /tmp/delay.out)'"
    fi
else
    fail "SIGQUIT drain" "exit status $?"
fi

# ---- the older paths on this real kernel, forced by the mask ----
for mask in 5.19 6.0; do
    if ! start_server RINGHTTPD_KERNEL_COMPAT=$mask; then
        fail "mask $mask" "the server did not start"
        continue
    fi
    ok=1
    expect_field "compat=$mask" "mask $mask" || ok=0
    if [ $mask = 5.19 ]; then
        expect_field "oneshot_recv" "mask $mask" || ok=0
        grep "listening on" "$log" | grep -q SINGLE_ISSUER && fail "mask $mask" "SINGLE_ISSUER in use" && ok=0
    else
        grep "listening on" "$log" | grep -q DEFER_TASKRUN && fail "mask $mask" "DEFER_TASKRUN in use" && ok=0
    fi
    wget -q -O /tmp/index.html "$url/" && cmp -s /tmp/index.html /www/index.html ||
        { fail "mask $mask" "static file"; ok=0; }
    pipelined_ok || { fail "mask $mask" "pipelining: $(grep -o "HTTP/1.1 [0-9]*" /tmp/pipelined.out | tr "\n" " ")"; ok=0; }
    drain_server || { fail "mask $mask" "drain exit status $?"; ok=0; }
    [ $ok = 1 ] && pass "mask $mask: startup line, static file, pipelining, drain"
done

env RINGHTTPD_KERNEL_COMPAT=6.2 /ringhttpd --listen 127.0.0.1:8080 --root /www >/tmp/bad-mask.log 2>&1
status=$?
if [ $status = 1 ] && grep -q "5.19, 6.0, 6.1, 6.5, 6.12" /tmp/bad-mask.log; then
    pass "an unknown mask is refused"
else
    fail "an unknown mask is refused" "exit $status: $(cat /tmp/bad-mask.log)"
fi

# ---- TLS: in user space, then with the kernel encrypting what is sent (kTLS) ----
# A TLS-only server on 8443 with the certificate vm-test.sh made; sets $server and $log.
start_tls_server() {
    log=/tmp/server-tls-$1.log
    shift
    /ringhttpd "$@" --listen "127.0.0.1:8443 tls" --root /www --tls-certificate /tls/cert.pem \
        --tls-certificate-key /tls/key.pem >"$log" 2>&1 &
    server=$!
    await_startup
}

big_sum=$(sha256sum /www/big.bin | cut -d' ' -f1)
# Asks for /index.html, then /big.bin on the same connection, over TLS with the s_client
# options given; true when both answers are 200, the last 1 MiB is big.bin byte for byte, and
# the server ended with close_notify (s_client reports an "unexpected eof" otherwise).
tls_fetch() {
    printf 'GET /index.html HTTP/1.1\r\nHost: vm\r\n\r\nGET /big.bin HTTP/1.1\r\nHost: vm\r\nConnection: close\r\n\r\n' |
        timeout 60 /usr/bin/openssl s_client -quiet -connect 127.0.0.1:8443 "$@" >/tmp/tls.out 2>/tmp/tls.err
    [ "$(grep -c '^HTTP/1.1 200 OK' /tmp/tls.out)" = 2 ] &&
        [ "$(tail -c 1048576 /tmp/tls.out | sha256sum | cut -d' ' -f1)" = "$big_sum" ] &&
        ! grep -qi "unexpected eof" /tmp/tls.err
}

# Wall time and the server's CPU time (user + system) for four such TLS 1.3 downloads.
measure_tls() {
    wall0=$(cut -d' ' -f1 /proc/uptime | tr -d .)
    cpu0=$(awk '{ print $14 + $15 }' "/proc/$server/stat")
    for _ in 1 2 3 4; do tls_fetch -tls1_3 || return 1; done
    wall1=$(cut -d' ' -f1 /proc/uptime | tr -d .)
    cpu1=$(awk '{ print $14 + $15 }' "/proc/$server/stat")
    echo "$(((wall1 - wall0) * 10)) ms wall, $(((cpu1 - cpu0) * 10)) ms server CPU"
}

tls_failure() { # what went wrong with the last tls_fetch
    echo "$(grep -c '^HTTP/1.1 200 OK' /tmp/tls.out) answers, $(wc -c </tmp/tls.out) bytes;" \
        "client: $(grep -v -e '^depth=' -e '^verify' /tmp/tls.err | tail -c 300);" \
        "server: $(grep -v 'listening on' "$log" | tail -c 300)"
}

tls_sessions() { # the kernel's count of connections it has encrypted for (TlsTxSw)
    awk '$1 == "TlsTxSw" { print $2 }' /proc/net/tls_stat 2>/dev/null || echo 0
}

# The tls module is not loaded yet: the probe finds no kTLS and OpenSSL encrypts (tls_ktls is
# `auto` by default); `--tls-ktls on` refuses to start, naming the module.
if start_tls_server required --tls-ktls on; then
    fail "tls_ktls = on without tls.ko" "the server started: $(grep 'listening on' "$log")"
    drain_server
elif grep -q "modprobe tls" "$log"; then
    pass "tls_ktls = on without tls.ko refuses to start, naming the module"
else
    fail "tls_ktls = on without tls.ko" "$(tail -c 300 "$log")"
fi
if start_tls_server user; then
    if grep "listening on" "$log" | grep -q "(user-space TLS)"; then
        pass "TLS listener reports user-space TLS without tls.ko"
    else
        fail "user-space TLS" "startup line: $(grep 'listening on' "$log")"
    fi
    for version in -tls1_3 -tls1_2; do
        if tls_fetch $version; then
            pass "user-space TLS $version: two requests, 1 MB file intact, close_notify"
        else
            fail "user-space TLS $version" "$(tls_failure)"
        fi
    done
    user_cost=$(measure_tls) || fail "user-space TLS timing" "a download failed"
    drain_server || fail "user-space TLS drain" "exit status $?"
else
    fail "user-space TLS" "the server did not start"
fi

loaded=1
for module in gf128mul ghash-generic ctr gcm tls; do
    insmod "/lib/modules/$module.ko" || { loaded=0; echo "VMTEST: INFO $module.ko did not load"; }
done
# AES-NI for the kernel's AES-GCM, as OpenSSL uses it: without it the timing below would weigh
# the kernel's C version against OpenSSL's assembly. Optional: the generic one works too.
for module in cryptd crypto_simd aesni-intel; do
    insmod "/lib/modules/$module.ko" || echo "VMTEST: INFO $module.ko did not load"
done
echo "VMTEST: INFO tcp_available_ulp: $(cat /proc/sys/net/ipv4/tcp_available_ulp);" \
    "gcm(aes): $(awk '$1 == "driver" { d = $3 } $1 == "name" && $3 == "gcm(aes)" { n = 1 } n && $1 == "priority" { print d; n = 0 }' /proc/crypto | tr '\n' ' ')"
if [ $loaded = 0 ]; then
    fail "kTLS" "the tls module or its AES-GCM modules did not load"
elif start_tls_server kernel; then
    if grep "listening on" "$log" | grep -q "(kTLS send)"; then
        pass "TLS listener reports kTLS send with tls.ko"
    else
        fail "kTLS send" "startup line: $(grep 'listening on' "$log")"
    fi
    for version in -tls1_3 -tls1_2; do
        before=$(tls_sessions)
        if tls_fetch $version && [ "$(tls_sessions)" -gt "$before" ]; then
            pass "kTLS send $version: the kernel encrypted; two requests, 1 MB file intact, close_notify"
        else
            fail "kTLS send $version" "TlsTxSw $before -> $(tls_sessions): $(tls_failure)"
        fi
        # A resumed handshake switches at another point: in TLS 1.2 the server's Finished comes
        # before the client's, in TLS 1.3 no certificate precedes it.
        before=$(tls_sessions)
        if tls_fetch $version -sess_out /tmp/session && tls_fetch $version -sess_in /tmp/session &&
            [ "$(tls_sessions)" -ge $((before + 2)) ] &&
            /usr/bin/openssl s_client -connect 127.0.0.1:8443 $version -sess_in /tmp/session </dev/null 2>/dev/null |
            grep -q "^Reused"; then
            pass "kTLS send $version, resumed session: 1 MB file intact, close_notify"
        else
            fail "kTLS send $version, resumed session" "TlsTxSw $before -> $(tls_sessions): $(tls_failure)"
        fi
    done
    # ChaCha20's modules are not in the guest: the kernel refused its keys at startup, so such a
    # connection stays in user space, and works.
    before=$(tls_sessions)
    if tls_fetch -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 &&
        [ "$(tls_sessions)" = "$before" ]; then
        pass "a cipher the kernel lacks stays in user space"
    else
        fail "cipher without kernel support" "TlsTxSw $before -> $(tls_sessions): $(tls_failure)"
    fi
    kernel_cost=$(measure_tls) || fail "kTLS timing" "a download failed"
    echo "VMTEST: INFO four 1 MB TLS 1.3 downloads: user space $user_cost; kTLS send $kernel_cost"
    drain_server || fail "kTLS drain" "exit status $?"
else
    fail "kTLS send" "the server did not start"
fi

# ---- kernel.io_uring_disabled (Linux 6.6+) ----
if [ -e /proc/sys/kernel/io_uring_disabled ]; then
    for value in 2 1; do
        sysctl -w kernel.io_uring_disabled=$value >/dev/null
        # 1 still lets root (CAP_SYS_ADMIN) in: run as nobody to be refused.
        timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups \
            /ringhttpd --listen 127.0.0.1:8080 --root /www >/tmp/disabled.log 2>&1
        status=$?
        if [ $status = 1 ] && grep -q "io_uring_disabled" /tmp/disabled.log; then
            pass "io_uring_disabled=$value refused with a clear message"
        else
            fail "io_uring_disabled=$value" "exit $status: $(cat /tmp/disabled.log)"
        fi
    done
    sysctl -w kernel.io_uring_disabled=0 >/dev/null
else
    skip "io_uring_disabled" "kernel.io_uring_disabled does not exist before Linux 6.6 (this is $(uname -r))"
fi

finish
