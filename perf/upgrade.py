#!/usr/bin/env python3
"""Binary upgrades under load: wrk keeps requesting while the server gets SIGUSR2 again and
again; each time a new process takes over the listening sockets and the old one drains.

Passes when wrk saw no failed request and no socket error (a reset, refused or cut
connection), every upgrade was taken over by a new process, and every old process exited 0.
Server on CPU 0, wrk on CPU 1.

    perf/upgrade.py                 # 10 upgrades, 1 s apart
    perf/upgrade.py --upgrades 3 --interval 0.5
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from checks import free_port, wrk_summary

REPO = Path(__file__).resolve().parent.parent


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) counts as gone.
    return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()


def wait_for(condition, seconds, what):
    deadline = time.time() + seconds
    while not condition():
        if time.time() > deadline:
            raise RuntimeError(what)
        time.sleep(0.01)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upgrades", type=int, default=10)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between upgrades")
    parser.add_argument("--binary", default=str(REPO / "build" / "ringhttpd"))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ringhttpd-upgrade-"))
    port = free_port()
    log_path = work / "server.log"
    log = open(log_path, "w")
    first = subprocess.Popen(["taskset", "-c", "0", args.binary, "--listen", f"127.0.0.1:{port}",
                              "--threads", "1", "--root", str(REPO / "static")],
                             stdout=log, stderr=log)
    current = first.pid
    failures = []
    try:
        wait_for(lambda: "listening on" in log_path.read_text(), 10, "the server did not start")
        seconds = int(args.upgrades * args.interval + 3)
        wrk = subprocess.Popen(["taskset", "-c", "1", "wrk", "-t1", "-c64", f"-d{seconds}s",
                                f"http://127.0.0.1:{port}/index.html"], stdout=subprocess.PIPE, text=True)
        time.sleep(1)
        slowest = 0.0
        for i in range(1, args.upgrades + 1):
            started = time.time()
            os.kill(current, signal.SIGUSR2)
            try:
                wait_for(lambda: len(re.findall(r"upgrade: process (\d+) serves", log_path.read_text())) >= i,
                         30, f"upgrade {i}: no new process served")
            except RuntimeError as e:
                failures.append(str(e))
                break
            slowest = max(slowest, time.time() - started)
            old, current = current, int(re.findall(r"upgrade: process (\d+) serves", log_path.read_text())[-1])
            try:
                wait_for(lambda: not alive(old), 30, f"upgrade {i}: the old process {old} did not exit")
            except RuntimeError as e:
                failures.append(str(e))
            if old == first.pid and first.wait(timeout=5) != 0:
                failures.append(f"the first process exited with {first.returncode}")
            time.sleep(args.interval)
        out, _ = wrk.communicate()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=2) as r:
            if r.status != 200:
                failures.append(f"after the upgrades: status {r.status}")
    finally:
        for pid in {first.pid, current}:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:
            first.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    text = log_path.read_text()
    requests, errors, non_2xx = wrk_summary(out)
    drained = text.count("drained, exiting")
    print(f"{args.upgrades} upgrades ({drained} old processes drained) during "
          f"{requests if requests is not None else '?'} requests; slowest hand-over {slowest * 1000:.0f} ms; "
          f"socket errors: {errors or 'none'}; non-2xx: {non_2xx or 0}")
    if errors or non_2xx or failures or not requests or drained < args.upgrades:
        print("FAILED: " + "; ".join(failures or ["see above"]) + f" (log: {log_path})")
        sys.exit(1)


if __name__ == "__main__":
    main()
