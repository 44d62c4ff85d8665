#!/usr/bin/env python3
"""The access log under load, with wrk -c64 on CPU 1 and the server on CPU 0.

1. Reopens: every half second the log file is renamed and the server gets SIGUSR1, as logrotate
   does. Passes when the lines of all the files together are the requests wrk completed (plus
   at most one per connection, answered as wrk stopped), every request_id appears once, and wrk
   saw no error.
2. A stalled disk: the log is a FIFO that nobody reads, so the writer thread blocks. Passes when
   requests go on being answered without an error, and the error log reports dropped lines.

    perf/access_log.py                # 6 s per phase
    perf/access_log.py --seconds 3
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from checks import free_port, wrk_summary

REPO = Path(__file__).resolve().parent.parent
CONNECTIONS = 64


def start(binary, port, log_path, server_log):
    server = subprocess.Popen(["taskset", "-c", "0", binary, "--listen", f"127.0.0.1:{port}",
                               "--threads", "1", "--root", str(REPO / "static"),
                               "--access-log", str(log_path), "--log-format", "json",
                               "--access-log-rotate-size", "0"],
                              stdout=server_log, stderr=server_log)
    deadline = time.time() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                sys.exit(f"the server did not start: {server_log.name}")
            time.sleep(0.05)


def wrk(port, seconds):
    return subprocess.Popen(["taskset", "-c", "1", "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s",
                             f"http://127.0.0.1:{port}/index.html"], stdout=subprocess.PIPE, text=True)


def reopens(args, work):
    log = work / "access.log"
    server_log = open(work / "reopen-server.log", "w")
    port = free_port()
    server = start(args.binary, port, log, server_log)
    load = wrk(port, args.seconds)
    rotated = 0
    while load.poll() is None:
        time.sleep(0.5)
        if log.exists():
            rotated += 1
            log.rename(work / f"access.log.{rotated}")
            server.send_signal(signal.SIGUSR1)
    out, _ = load.communicate()
    server.send_signal(signal.SIGQUIT)  # drains, and the log writes what it holds
    server.wait(timeout=30)
    requests, errors, non_2xx = wrk_summary(out)
    ids, lines = set(), 0
    for path in sorted(work.glob("access.log*")):
        for line in path.read_text().splitlines():
            ids.add(json.loads(line)["request_id"])
            lines += 1
    ok = (requests <= lines <= requests + CONNECTIONS and len(ids) == lines and not errors
          and not non_2xx and rotated >= 2)
    print(f"reopens: {rotated} reopens; wrk completed {requests} requests; {lines} lines in "
          f"{rotated + 1} files, {len(ids)} distinct request ids; socket errors: {errors or 'none'}"
          f" -> {'ok' if ok else 'FAILED'}")
    return ok


def stalled_disk(args, work):
    fifo = work / "stalled.log"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # open, never read
    server_log_path = work / "stalled-server.log"
    server_log = open(server_log_path, "w")
    port = free_port()
    server = start(args.binary, port, fifo, server_log)
    out, _ = wrk(port, args.seconds).communicate()
    requests, errors, non_2xx = wrk_summary(out)
    text = server_log_path.read_text()
    dropped = sum(int(n) for n in re.findall(r"access log: (\d+) line\(s\) dropped", text))
    server.send_signal(signal.SIGTERM)
    os.close(reader)  # the writer's blocked write fails with EPIPE, and it can stop
    server.wait(timeout=30)
    rate = requests / args.seconds
    ok = dropped > 0 and not errors and not non_2xx and rate > 1000
    print(f"stalled disk: {requests} requests ({rate:,.0f}/s) with the log blocked; {dropped} lines "
          f"reported dropped; socket errors: {errors or 'none'} -> {'ok' if ok else 'FAILED'}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--binary", default=str(REPO / "build" / "ringhttpd"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ringhttpd-access-log-"))
    results = [reopens(args, work), stalled_disk(args, work)]
    if not all(results):
        sys.exit(f"FAILED (files in {work})")


if __name__ == "__main__":
    main()
