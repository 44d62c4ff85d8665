#!/usr/bin/env python3
"""Reloads under load: wrk keeps requesting while the configuration file is swapped between two
valid versions (different document roots and caching headers) and the server gets SIGHUP.

Passes when wrk saw no failed request and no socket error (a reset or refused connection), and
every reload was visible in responses within a second. Server on CPU 0, wrk on CPU 1.

    perf/reload.py                        # 20 reloads, 0.5 s apart
    perf/reload.py --reloads 5 --interval 0.2
"""

import argparse
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from checks import free_port, wrk_summary

REPO = Path(__file__).resolve().parent.parent


def fetch(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=2) as r:
        return r.read().decode(), r.headers.get("Cache-Control")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reloads", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between reloads")
    parser.add_argument("--binary", default=str(REPO / "build" / "ringhttpd"))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ringhttpd-reload-"))
    port = free_port()
    versions = []
    for name, expires in (("a", "off"), ("b", "1h")):
        root = work / name
        root.mkdir()
        (root / "index.html").write_text(f"site {name}\n")
        versions.append((f'listen = "127.0.0.1:{port}"\nthreads = 1\nroot = "{root}"\nexpires = "{expires}"\n',
                         f"site {name}\n", None if expires == "off" else "max-age=3600"))
    config = work / "ringhttpd.toml"
    config.write_text(versions[0][0])
    log = open(work / "server.log", "w")
    server = subprocess.Popen(["taskset", "-c", "0", args.binary, "-c", str(config)], stdout=log, stderr=log)
    try:
        deadline = time.time() + 10
        while True:
            try:
                fetch(port)
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    sys.exit("the server did not start: " + (work / "server.log").read_text())
                time.sleep(0.05)

        seconds = int(args.reloads * args.interval + 3)
        wrk = subprocess.Popen(["taskset", "-c", "1", "wrk", "-t1", "-c64", f"-d{seconds}s",
                                f"http://127.0.0.1:{port}/index.html"], stdout=subprocess.PIPE, text=True)
        time.sleep(1)
        slowest = 0.0
        failures = []
        for i in range(1, args.reloads + 1):
            text, body, cache_control = versions[i % 2]
            config.write_text(text)
            start = time.time()
            server.send_signal(signal.SIGHUP)
            while (fetch(port) != (body, cache_control)):
                if time.time() - start > 1:
                    failures.append(f"reload {i} not visible within 1 s")
                    break
                time.sleep(0.005)
            slowest = max(slowest, time.time() - start)
            time.sleep(args.interval)
        out, _ = wrk.communicate()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)

    requests, errors, non_2xx = wrk_summary(out)
    applied = (work / "server.log").read_text().count(": applied ")
    print(f"{args.reloads} reloads ({applied} applied) during {requests if requests is not None else '?'} "
          f"requests; slowest reload visible after {slowest * 1000:.0f} ms; "
          f"socket errors: {errors or 'none'}; non-2xx: {non_2xx or 0}")
    if errors or non_2xx or applied != args.reloads or failures or not requests:
        print("FAILED: " + "; ".join(failures or ["see above"]) + f" (log: {work / 'server.log'})")
        sys.exit(1)


if __name__ == "__main__":
    main()
