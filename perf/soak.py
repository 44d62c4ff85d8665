#!/usr/bin/env python3
"""Slow-client soak tests: Debian's slowhttptest attacks a real ringhttpd while a probe asks for
/api/hello every second. Every probe must succeed for the whole run, and the server must stay
within a memory bound.

    perf/soak.py                          # slowloris, slow body, slow read: 1,500 connections, 30 s each
    perf/soak.py --seconds 8 --connections 500   # the short version CI runs
"""

import argparse
import http.client
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from checks import free_port

REPO = Path(__file__).resolve().parent.parent

ATTACKS = {
    # name: slowhttptest arguments (the URL path is appended by the runner)
    "slowloris (-H)": (["-H", "-i", "5", "-x", "24"], "/"),
    "slow body (-B)": (["-B", "-i", "5", "-s", "65536", "-t", "POST"], "/api/echo"),
    "slow read (-X)": (["-X", "-w", "512", "-y", "1024", "-n", "5", "-z", "32", "-k", "3"], "/big.bin"),
}


def rss_kib(pid):
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1))


def probe_loop(port, stop, results):
    """One GET /api/hello per second on a fresh connection; records (ok, detail)."""
    while not stop.is_set():
        started = time.time()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
            conn.request("GET", "/api/hello")
            response = conn.getresponse()
            body = response.read()
            results.append((response.status == 200 and b"Hello" in body, f"status {response.status}"))
            conn.close()
        except Exception as e:  # noqa: BLE001 - any failure is a failed probe
            results.append((False, repr(e)))
        stop.wait(max(0.0, 1.0 - (time.time() - started)))


def run_attack(name, args, path, port, pid, seconds, connections):
    results, stop = [], threading.Event()
    prober = threading.Thread(target=probe_loop, args=(port, stop, results))
    rss_before = rss_kib(pid)
    prober.start()
    rate = max(50, connections // 3)
    cmd = ["slowhttptest", *args, "-c", str(connections), "-r", str(rate), "-l", str(seconds),
           "-p", "3", "-u", f"http://127.0.0.1:{port}{path}"]
    attack = subprocess.run(cmd, capture_output=True, text=True)
    peak_rss = rss_kib(pid)
    stop.set()
    prober.join()
    failures = [detail for ok, detail in results if not ok]
    report = re.sub(r"\x1b\[[0-9;]*m", "", attack.stdout)  # slowhttptest colours its report
    connected = re.findall(r"connected:\s+(\d+)", report)
    print(f"{name:<16} probes {len(results) - len(failures)}/{len(results)} ok, "
          f"max connected {max(map(int, connected), default=0)}, "
          f"RSS {rss_before // 1024} -> {peak_rss // 1024} MiB", flush=True)
    if max(map(int, connected), default=0) == 0:
        print(report[-2000:], attack.stderr[-2000:], file=sys.stderr)
        return ["slowhttptest established no connections"]
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=1500)
    parser.add_argument("--max-rss-mib", type=int, default=256, help="fail if the server grows past this")
    args = parser.parse_args()
    if not shutil.which("slowhttptest"):
        sys.exit("soak: slowhttptest is missing (apt-get install slowhttptest)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    binary = REPO / "build" / "ringhttpd"
    root = Path(tempfile.mkdtemp(prefix="ringhttpd-soak-"))
    (root / "index.html").write_text("<p>soak</p>\n")
    (root / "big.bin").write_bytes(b"x" * (8 * 1024 * 1024))
    port = free_port()
    server = subprocess.Popen([str(binary), "--listen", f"127.0.0.1:{port}", "--root", str(root)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    failed = False
    try:
        time.sleep(0.5)
        for name, (attack_args, path) in ATTACKS.items():
            failures = run_attack(name, attack_args, path, port, server.pid, args.seconds, args.connections)
            if failures:
                failed = True
                print(f"  FAILED probes during {name}: {failures[:5]}", file=sys.stderr)
            if rss_kib(server.pid) // 1024 > args.max_rss_mib:
                failed = True
                print(f"  FAILED: server RSS above {args.max_rss_mib} MiB", file=sys.stderr)
            time.sleep(1)
        if server.poll() is not None:
            failed = True
            print("  FAILED: the server exited during the soak", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(root, ignore_errors=True)
    print("soak: FAILED" if failed else "soak: every probe succeeded")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
