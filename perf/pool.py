#!/usr/bin/env python3
"""The cost of a round trip through the worker pool.

The same tiny handler answered on the ring thread (/debug/inline) and on the worker pool
(/debug/pooled), with each way of waking the ring (MSG_RING, eventfd), and nginx's `return 200`
as the reference measured in the same run. Server and its workers pinned to CPU 0, wrk to CPU 1,
as in bench.py.

    perf/pool.py                 # 3 x 10 s per point
    perf/pool.py --seconds 3 --repeat 1
"""

import argparse
import datetime
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the same servers, wrk runs and parsing)


class RinghttpdDebug(bench.Ringhttpd):
    def __init__(self, workdir, root, port, cpu, wake):
        super().__init__(workdir, root, port, cpu)
        self.wake = wake
        self.name = f"ringhttpd ({wake})"

    def command(self):
        return super().command() + ["--debug-routes", "--worker-wake", self.wake]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--out", default=str(bench.PERF / "results"), help="where the table goes")
    args = parser.parse_args()
    args.warmup = 2
    cpus = sorted(os.sched_getaffinity(0))
    server_cpu, args.client_cpu = (cpus[0], cpus[1]) if len(cpus) >= 2 else (None, None)
    args.client_threads = 1

    workdir = Path(tempfile.mkdtemp(prefix="ringhttpd-pool-"))
    workdir.chmod(0o755)
    root = workdir / "www"
    root.mkdir()
    rows = []
    try:
        plans = [(RinghttpdDebug(workdir, root, bench.free_port(), server_cpu, wake), path)
                 for wake in ("msg-ring", "eventfd") for path in ("/debug/inline", "/debug/pooled")]
        plans.append((bench.Nginx(workdir, root, bench.free_port(), server_cpu), "/api/hello"))
        for server, path in plans:
            server.start()
            try:
                scenario = bench.Scenario(path, path, path, connections=args.connections)
                point = bench.measure_scenario([server], scenario, args)[server.name]
            finally:
                server.stop()
            rows.append((server.name, path, point))
            print(f"{server.name:<22} {path:<15} {point.requests_per_s:>10,.0f} req/s  "
                  f"p50 {point.p50_ms:.3f} ms  p99 {point.p99_ms:.3f} ms  "
                  f"{point.cpu_us_per_req:.1f} µs CPU/req  errors {point.errors}", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    nginx = rows[-1][2].requests_per_s
    started = datetime.datetime.now(datetime.timezone.utc)
    lines = [f"# Worker pool round trip, {started:%Y-%m-%d %H:%M} UTC", "",
             f"- Machine: {bench.machine_description()}",
             f"- Command: `perf/pool.py {' '.join(sys.argv[1:])}` ({args.repeat} x {args.seconds} s per point, "
             f"median; wrk -t1 -c{args.connections})", "",
             "| server | path | requests/s | vs nginx | p50 ms | p99 ms | CPU µs/req | notes |",
             "|---|---|---|---|---|---|---|---|"]
    for name, path, p in rows:
        lines.append(f"| {name} | {path} | {p.requests_per_s:,.0f} | {p.requests_per_s / nginx:.2f} | "
                     f"{p.p50_ms:.3f} | {p.p99_ms:.3f} | {p.cpu_us_per_req:.1f} | {p.note} |")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table = out / f"{started:%Y-%m-%d-%H%M}-pool.md"
    table.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[5:]) + f"\n\nwrote {table}")
    if any(p.errors for _, _, p in rows):
        sys.exit("FAILED: errors in some runs")


if __name__ == "__main__":
    main()
