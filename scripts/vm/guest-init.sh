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

# Starts the server in the background with the environment assignments given as arguments
# (e.g. RINGHTTPD_KERNEL_COMPAT=5.19); waits for its startup line. Sets $server and $log.
start_server() {
    log=/tmp/server-$#-$1.log
    env "$@" /ringhttpd --listen 0.0.0.0:8080 --root /www --debug-routes \
        --access-log /tmp/access.log >"$log" 2>&1 &
    server=$!
    for _ in $(seq 1 200); do
        grep -q "listening on" "$log" && return 0
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    cat "$log"
    return 1
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
if [ -f /lib/modules/tls.ko ]; then
    if insmod /lib/modules/tls.ko; then
        echo "VMTEST: INFO tls.ko loaded; tcp_available_ulp: $(cat /proc/sys/net/ipv4/tcp_available_ulp)"
    else
        echo "VMTEST: INFO tls.ko did not load"
    fi
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
