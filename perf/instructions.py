#!/usr/bin/env python3
"""Instructions per request, counted by valgrind's callgrind: a figure that does not move with
the machine's noise, for A/B comparisons of ringhttpd builds (perf/README.md).

    perf/instructions.py [--requests N] [--path /index.html] BINARY [BINARY...]

Each binary serves the same files, once with N requests and once with 6N, all on one keep-alive
connection; instructions per request are (Ir(6N) - Ir(N)) / 5N, so startup and shutdown cancel.
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_response(sock, buffer):
    """Reads one response with a Content-Length body; returns (status, rest of buffer)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed mid-response")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)\r\ncontent-length: *(\d+)", head).group(1))
    while len(rest) < length:
        rest += sock.recv(65536)
    return int(head.split()[1]), rest[length:]


def count(binary, root, path, requests):
    """Total instructions of one server run that answers `requests` requests."""
    port = free_port()
    out = Path(tempfile.mkdtemp(prefix="callgrind-")) / "out"
    proc = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", str(binary),
         "--listen", f"127.0.0.1:{port}", "--root", str(root), "--threads", "1",
         "--security-headers", "off", "--keepalive-requests", "1000000000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"{binary} did not start under valgrind")
                time.sleep(0.2)
        request = f"GET {path} HTTP/1.1\r\nHost: bench\r\nUser-Agent: instructions.py\r\n\r\n".encode()
        buffer = b""
        for _ in range(requests):
            sock.sendall(request)
            status, buffer = read_response(sock, buffer)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
        sock.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    totals = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.M)
    return int(totals.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binaries", nargs="+", type=Path)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--path", action="append", help="paths to request (default /api/hello: static files need openat2, which valgrind 3.19 lacks)")
    args = parser.parse_args()
    paths = args.path or ["/api/hello"]
    n = args.requests
    print(f"| path | " + " | ".join(str(b) for b in args.binaries) + " |")
    print("|---|" + "---|" * len(args.binaries))
    for path in paths:
        per_request = []
        for binary in args.binaries:
            low, high = count(binary, REPO / "static", path, n), count(binary, REPO / "static", path, 6 * n)
            per_request.append((high - low) / (5 * n))
        print(f"| {path} | " + " | ".join(f"{ir:,.0f}" for ir in per_request) + " |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
