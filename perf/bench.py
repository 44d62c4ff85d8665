#!/usr/bin/env python3
"""Benchmarks ringhttpd side by side with nginx (and h2o and lighttpd when installed).

Every server gets the same files, one CPU (CPU 0) and one thread or worker; wrk runs pinned to
CPU 1 (or the CPUs --client-cpus names). Each point is repeated, the servers taking turns, and
the median kept. Besides requests/s and latency it records the server's CPU time per request,
which still tells servers apart when the load generator is the limit. See perf/README.md for what each scenario means.

    perf/bench.py                 # full run: ~10 s per point, 3 repetitions, table + chart
    perf/bench.py --quick         # a few seconds per scenario; fails if ringhttpd had errors
    perf/bench.py --only 1k,dyn   # a subset of scenarios
    perf/bench.py --containers    # ringhttpd and nginx as containers (docker/, podman)
    perf/bench.py --only 1k,dyn,pool --peers nginx --compat 6.12,6.1,6.0,5.19
                                  # what the older kernels' paths cost (docs/kernels.md)
    perf/bench.py --tls           # the TLS 1.3 scenarios (docs/tls.md): keep-alive, full and
                                  # resumed handshakes, 1 MB, idle memory
"""

import argparse
import datetime
import os
import platform
import re
import resource
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from checks import free_port

REPO = Path(__file__).resolve().parent.parent
PERF = REPO / "perf"
BULKGET = REPO / "build" / "bulkget"  # built with the server (perf/bulkget)
CLK_TCK = os.sysconf("SC_CLK_TCK")

# The files every server serves, by name and size.
FILES = {"index.html": 1024, "4k.html": 4096, "64k.bin": 64 * 1024, "1m.bin": 1024 * 1024}
# many/f00000.html ... : distinct 4 KB files for the many-files scenarios.
MANY_FILES = 100000


@dataclass
class Scenario:
    key: str
    title: str
    path: str  # request path; "@dynamic" means the server's tiny dynamic response
    connections: int = 64
    headers: list = field(default_factory=list)
    lua: str = ""  # wrk script, relative to perf/
    # When set, requests pick one of this many distinct many/ files at random, and the files are
    # read just before each run (so they are in the page cache whatever the file caches hold).
    many_files: int = 0
    idle_memory: bool = False  # not a wrk run: memory per idle keep-alive connection
    # When set, not wrk but h2load offering this many requests/s in all (open loop): latency at
    # the same load for every server, which wrk's closed loop (each connection sends as soon as
    # it has an answer) cannot give, because there a faster server is also offered more.
    fixed_rate: int = 0
    # The load generator: "wrk", or "bulkget" (perf/bulkget: reads 256 KB per call where wrk reads
    # 8 KB, so that on this 2-core machine the server's core, not the client's, is the limit for
    # large files).
    client: str = "wrk"
    opt_in: bool = False  # only run when --only names it
    # Over TLS 1.3 to each server's TLS port (the same generated ECDSA P-256 certificate for
    # all); these run with --tls or when --only names them.
    tls: bool = False
    # With Connection: close over TLS: False makes wrk offer no session, so every connection is
    # a full handshake (perf/tls-noresume.c); True lets it resume with the previous ticket.
    resume: bool = True


SCENARIOS = [
    Scenario("1k", "1 KB file", "/index.html"),
    Scenario("4k", "4 KB file", "/4k.html"),
    Scenario("64k", "64 KB file", "/64k.bin"),
    Scenario("1m", "1 MB file", "/1m.bin"),
    Scenario("64k-bulk", "64 KB file, bulkget client", "/64k.bin", client="bulkget"),
    Scenario("1m-bulk", "1 MB file, bulkget client", "/1m.bin", client="bulkget"),
    Scenario("dyn", "tiny dynamic response", "@dynamic"),
    # ringhttpd only (--debug-routes): the round trip through the worker pool and its wake-up.
    Scenario("pool", "tiny response from the worker pool", "@pooled", opt_in=True),
    Scenario("pipe", "pipelined x16, tiny dynamic", "@dynamic", lua="wrk-pipeline.lua"),
    Scenario("c1000", "1 KB file, 1,000 connections", "/index.html", connections=1000),
    Scenario("close", "1 KB file, Connection: close", "/index.html", headers=["Connection: close"]),
    Scenario("many", "4 KB files, 10,000 at random", "/many/f00000.html",
             lua="wrk-many-files.lua", many_files=10000),
    Scenario("cold", "4 KB files, 100,000 at random (file caches miss)", "/many/f00000.html",
             lua="wrk-many-files.lua", many_files=100000),
    Scenario("fixed", "4 KB file at a fixed 32,000 req/s (latency at equal load)", "/4k.html",
             fixed_rate=32000),
    Scenario("idle", "memory per idle keep-alive connection", "/index.html", idle_memory=True),
    Scenario("tls-1k", "TLS 1.3: 1 KB file", "/index.html", tls=True, opt_in=True),
    Scenario("tls-full", "TLS 1.3: full handshake per request (1 KB, Connection: close)", "/index.html",
             headers=["Connection: close"], tls=True, resume=False, opt_in=True),
    Scenario("tls-resume", "TLS 1.3: resumed handshake per request (ticket, 1 KB, Connection: close)",
             "/index.html", headers=["Connection: close"], tls=True, opt_in=True),
    Scenario("tls-1m", "TLS 1.3: 1 MB file", "/1m.bin", tls=True, opt_in=True),
    Scenario("tls-idle", "TLS 1.3: memory per idle keep-alive connection", "/index.html",
             idle_memory=True, tls=True, opt_in=True),
]

# The scenarios the floor (perf/responder.cpp, below) runs in, with the body it answers: the
# file's size, or for the tiny dynamic answer (None here) the length of ringhttpd's, read from
# ringhttpd when the servers have started.
FLOOR_BODIES = {"1k": FILES["index.html"], "4k": FILES["4k.html"], "dyn": None}


# ---------------------------------------------------------------- servers


@dataclass
class Tls:
    """What every server's TLS listener is given: one certificate, made for this run."""
    certificate: Path
    key: Path
    noresume: Path  # perf/tls-noresume.c built: wrk without session resumption


def make_tls(workdir):
    """A self-signed ECDSA P-256 certificate for 127.0.0.1 and localhost in the work folder (no
    key is ever committed), and the LD_PRELOAD shim that stops wrk resuming sessions."""
    cert, key, shim = workdir / "tls-cert.pem", workdir / "tls-key.pem", workdir / "tls-noresume.so"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert),
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    key.chmod(0o644)  # peers that drop privileges read it too; the folder is the run's own
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", str(shim), str(PERF / "tls-noresume.c"),
                    "-ldl", "-lssl"], check=True)
    return Tls(cert, key, shim)


# The production profile's response headers, ringhttpd's --security-headers, which every peer
# adds in its own syntax; and the types its gzip compresses (--gzip), given to the peers alike.
SECURITY_HEADERS = (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "SAMEORIGIN"),
                    ("Referrer-Policy", "strict-origin-when-cross-origin"))
GZIP_TYPES = ("text/html", "text/plain", "text/css", "application/json", "application/javascript")


class Server:
    """One server under test: started pinned to the server CPU, stopped at the end."""

    name = ""
    dynamic_path = None  # the path of its tiny dynamic response, if it has one
    pooled_path = None  # the same answered on a worker pool, if it has one
    tls = None  # a Tls when TLS scenarios run: every server then also listens on tls_port
    tls_scenarios = True  # False for a server without TLS here (its TLS rows are n/a)
    production = False  # --production: the access log to a file, security headers, gzip
    access_log = True   # in the production profile

    def __init__(self, workdir, root, port, cpu):
        self.workdir, self.root, self.port, self.cpu = workdir, root, port, cpu
        self.tls_port = free_port() if self.tls and self.tls_scenarios else None
        self.proc = None

    def command(self):
        raise NotImplementedError

    def version(self):
        return ""

    def start(self):
        cmd = self.command()
        if self.cpu is not None:
            cmd = ["taskset", "-c", str(self.cpu)] + cmd
        log = open(self.workdir / f"{self.name}.log", "w")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.environment())
        self.wait_listening(lambda: self.proc.poll() is None, log.name)
        if self.production:
            self.check_production_profile()

    def access_log_path(self):
        """Where its access log goes in the production profile (None: no log)."""
        return self.workdir / f"{self.name}-access.log" if self.access_log else None

    def check_production_profile(self):
        """Fails unless the configuration took: the security headers on a file's answer, and
        the access log file opened."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/index.html", timeout=5) as answer:
            missing = [name for name, value in SECURITY_HEADERS if answer.headers.get(name) != value]
        if missing:
            raise RuntimeError(f"{self.name}: the production profile's answer lacks {', '.join(missing)}")
        log = self.access_log_path()
        if log and not log.exists():
            raise RuntimeError(f"{self.name}: the production profile's access log {log} was not opened")

    def wait_listening(self, running, log_name):
        """Waits up to 10 s for the port to take connections; fails at once if `running()`
        turns false (the server exited at startup)."""
        deadline = time.time() + 10
        for port in filter(None, (self.port, self.tls_port)):
            while True:
                if not running():
                    raise RuntimeError(f"{self.name} exited at startup; see {log_name}")
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    if time.time() > deadline:
                        raise RuntimeError(f"{self.name} did not start listening on {port}")
                    time.sleep(0.05)

    def environment(self):
        return None  # the script's own

    def prepare(self, scenario):
        """Called before `scenario` is measured (the floor changes its body here)."""

    def path_for(self, scenario):
        """The path `scenario` requests from this server; None when it has no equivalent."""
        if scenario.tls and not self.tls_port:
            return None
        return {"@dynamic": self.dynamic_path, "@pooled": self.pooled_path}.get(scenario.path, scenario.path)

    def url_for(self, scenario):
        if scenario.tls:
            return f"https://127.0.0.1:{self.tls_port}{self.path_for(scenario)}"
        return f"http://127.0.0.1:{self.port}{self.path_for(scenario)}"

    def tls_config(self):
        """The peer configuration's @TLS@: a TLS listener with the run's certificate."""
        return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def main_pid(self):
        return self.proc.pid

    def pids(self):
        """The server's process and its descendants."""
        pids, frontier = [], [self.main_pid()]
        while frontier:
            pid = frontier.pop()
            pids.append(pid)
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                children = []
            frontier += [int(c) for c in children]
        return pids

    def cpu_seconds(self):
        total = 0
        for pid in self.pids():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / CLK_TCK

    def rss_kib(self):
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total

    def render_config(self, template, out_name, extra=""):
        text = (PERF / "peers" / template).read_text()
        text = text.replace("@TLS@", self.tls_config() if self.tls_port else "")
        text = text.replace("@EXTRA@", extra).replace("@NAME@", self.name)
        text = text.replace("@DIR@", str(self.workdir)).replace("@PORT@", str(self.port))
        text = text.replace("@ROOT@", str(self.root))
        out = self.workdir / out_name
        out.write_text(text)
        return out


class Ringhttpd(Server):
    name = "ringhttpd"
    dynamic_path = "/api/hello"
    pooled_path = "/debug/pooled"  # with --debug-routes
    binary = REPO / "build" / "ringhttpd"
    debug_routes = False  # set when the pool scenario runs

    def command(self):
        # Keep-alive connections unlimited, as every peer's configuration has them.
        listen = f"127.0.0.1:{self.port}"
        if self.tls_port:  # its default TLS settings (ciphers, tickets), the run's certificate
            listen += f",127.0.0.1:{self.tls_port} tls"
        cmd = [str(self.binary), "--listen", listen, "--root", str(self.root),
               "--threads", "1", "--keepalive-requests", "1000000000"]
        if self.tls_port:
            cmd += ["--tls-certificate", str(self.tls.certificate), "--tls-certificate-key", str(self.tls.key)]
        if self.debug_routes:
            cmd.append("--debug-routes")
        if not self.production:
            # The peers send no security headers: without them too, every server sends
            # comparable response heads (ringhttpd still adds Vary). See perf/README.md.
            return cmd + ["--security-headers", "off"]
        log = str(self.access_log_path() or "off")
        return cmd + ["--security-headers", "on", "--gzip", "on", "--access-log", log,
                      "--access-log-rotate-size", "0"]

    def version(self):
        return subprocess.run([str(self.binary), "--version"], capture_output=True, text=True).stdout.strip()


class RinghttpdBaseline(Ringhttpd):
    """Another ringhttpd build (--baseline), run beside this one for an A/B in the same run."""
    name = "baseline"


class RinghttpdNoLog(Ringhttpd):
    """The production profile without the access log: what the log costs, in the same run."""
    name = "ringhttpd-nolog"
    access_log = False


def compat_server(mask):
    """ringhttpd with RINGHTTPD_KERNEL_COMPAT=mask: the paths of an older kernel, on this one."""
    class RinghttpdCompat(Ringhttpd):
        name = f"ringhttpd-compat-{mask}"

        def environment(self):
            return {**os.environ, "RINGHTTPD_KERNEL_COMPAT": mask}
    return RinghttpdCompat


# The servers that are ringhttpd: never ranked as peers.
OURS = ("ringhttpd", "baseline", "ringhttpd-nolog")


def is_ours(name):
    return name in OURS or name.startswith("ringhttpd-compat-")


class Nginx(Server):
    name = "nginx"
    dynamic_path = "/api/hello"  # `return 200` in perf/peers/nginx.conf.in

    log_buffer = ""  # nginx's access_log buffer=SIZE, in the production profile

    def extra_config(self):
        if not self.production:
            return "access_log off;"
        buffer = f" buffer={self.log_buffer}" if self.log_buffer else ""
        # The same headers as ringhttpd's --security-headers, and gzip as its --gzip.
        headers = "".join(f"    add_header {name} {value};\n" for name, value in SECURITY_HEADERS)
        types = " ".join(t for t in GZIP_TYPES if t != "text/html")  # nginx's always (it warns)
        return (f"access_log {self.access_log_path()} combined{buffer};\n{headers}"
                f"    gzip on;\n    gzip_types {types};")

    def tls_config(self):
        # TLS 1.2 and 1.3 as ringhttpd's (the clients all negotiate 1.3); tickets on (nginx's
        # default) and the session cache a production config has (it serves TLS 1.2 session IDs).
        return (f"listen 127.0.0.1:{self.tls_port} ssl reuseport backlog=4096;\n"
                f"        ssl_certificate {self.tls.certificate};\n"
                f"        ssl_certificate_key {self.tls.key};\n"
                "        ssl_protocols TLSv1.2 TLSv1.3;\n"
                "        ssl_session_tickets on;\n"
                "        ssl_session_cache shared:SSL:10m;")

    def command(self):
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.workdir / sub).mkdir(exist_ok=True)
        conf = self.render_config("nginx.conf.in", f"{self.name}.conf", self.extra_config())
        return ["nginx", "-c", str(conf), "-e", str(self.workdir / f"{self.name}-error.log")]

    def version(self):
        return subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()


class NginxBuffered(Nginx):
    """nginx in the production profile with access_log buffer=64k."""
    name = "nginx-buf64k"
    log_buffer = "64k"


class H2o(Server):
    name = "h2o"

    def extra_config(self):
        if not self.production:
            return ""
        # The same headers as ringhttpd's --security-headers, gzip as its --gzip, and h2o's
        # default access log format (Apache's combined).
        headers = "".join(f'header.add: "{name}: {value}"\n' for name, value in SECURITY_HEADERS)
        return f"access-log: {self.access_log_path()}\n{headers}compress: [ gzip ]"

    def tls_config(self):
        # Session resumption is on by default (ssl-session-resumption: cache and tickets).
        return (f"listen:\n  host: 127.0.0.1\n  port: {self.tls_port}\n  ssl:\n"
                f"    certificate-file: {self.tls.certificate}\n    key-file: {self.tls.key}\n"
                "    minimum-version: TLSv1.2")

    def command(self):
        return ["h2o", "-c", str(self.render_config("h2o.conf.in", "h2o.conf", self.extra_config()))]

    def version(self):
        return subprocess.run(["h2o", "--version"], capture_output=True, text=True).stdout.split("\n")[0]


class Lighttpd(Server):
    name = "lighttpd"
    # mod_openssl is a package of its own (lighttpd-mod-openssl, in scripts/deps.sh perf).
    tls_scenarios = Path("/usr/lib/lighttpd/mod_openssl.so").exists()

    def extra_config(self):
        if not self.production:
            return ""
        # The same headers as ringhttpd's --security-headers, gzip as its --gzip (mod_deflate,
        # package lighttpd-mod-deflate), and mod_accesslog's default format (Apache's common).
        headers = ", ".join(f'"{name}" => "{value}"' for name, value in SECURITY_HEADERS)
        types = ", ".join(f'"{mime}"' for mime in GZIP_TYPES)
        return ('server.modules += ("mod_accesslog", "mod_setenv", "mod_deflate")\n'
                f'accesslog.filename = "{self.access_log_path()}"\n'
                f"setenv.add-response-header = ({headers})\n"
                'deflate.allowed-encodings = ("gzip")\n'
                f"deflate.mimetypes = ({types})")

    def tls_config(self):
        # TLS 1.2 and 1.3 and session tickets are lighttpd 1.4.69's defaults.
        return ('server.modules += ("mod_openssl")\n'
                f'$SERVER["socket"] == "127.0.0.1:{self.tls_port}" {{\n'
                '    ssl.engine = "enable"\n'
                f'    ssl.pemfile = "{self.tls.certificate}"\n'
                f'    ssl.privkey = "{self.tls.key}"\n}}')

    def command(self):
        conf = self.render_config("lighttpd.conf.in", "lighttpd.conf", self.extra_config())
        return ["lighttpd", "-D", "-f", str(conf)]

    def version(self):
        return subprocess.run(["lighttpd", "-v"], capture_output=True, text=True).stdout.split("\n")[0]


PEERS = {"nginx": (Nginx, "nginx"), "h2o": (H2o, "h2o"), "lighttpd": (Lighttpd, "lighttpd")}


class Floor(Server):
    """The floor (perf/responder.cpp, build/floor_responder): multishot accept, multishot
    receive into a buffer ring and one fixed keep-alive response sent per request end (the blank
    line), with no HTTP at all. Not a peer: the reference the "× floor" columns divide by,
    pinned and measured as the servers are. It runs only in FLOOR_BODIES' scenarios, answering
    with a body of the scenario's length, and is restarted on a new port when that changes."""
    name = "floor"
    binary = REPO / "build" / "floor_responder"
    tls_scenarios = False
    dynamic_body = 0  # the length of ringhttpd's tiny dynamic answer (main sets it)

    def __init__(self, *args):
        super().__init__(*args)
        self.body_bytes = FILES["index.html"]

    def command(self):
        return [str(self.binary), str(self.port), str(self.body_bytes)]

    def version(self):
        bodies = ", ".join(f"{key} {size or self.dynamic_body} B" for key, size in FLOOR_BODIES.items())
        return f"perf/responder.cpp; bodies: {bodies}"

    def path_for(self, scenario):
        if scenario.tls or scenario.key not in FLOOR_BODIES:
            return None
        return "/" if scenario.path.startswith("@") else scenario.path  # it answers any path alike

    def prepare(self, scenario):
        body = FLOOR_BODIES[scenario.key] or self.dynamic_body
        if body != self.body_bytes:
            self.stop()
            self.body_bytes, self.port = body, free_port()
            self.start()


def body_length(port, path):
    """The Content-Length of a server's answer to GET `path`: what the floor must send to match
    it (the tiny dynamic row)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(65536)
            if not chunk:
                break
            head += chunk
    length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    if not length:
        raise RuntimeError(f"no Content-Length in the answer to {path}: {head[:200]!r}")
    return int(length.group(1))


# ---------------------------------------------------------------- TLS checks (--tls)


class NginxResumptionLog(Nginx):
    """An nginx (not one of the measured servers) that logs whether each handshake resumed."""
    name = "nginx-resumption-check"

    def extra_config(self):
        return (f"log_format reused '$ssl_session_reused';\n"
                f"    access_log {self.workdir}/{self.name}-access.log reused;")


def check_wrk_resumption(workdir, root, scenarios):
    """wrk decides whether a TLS scenario measures full or resumed handshakes, so check it does
    what each intends before measuring: wrk with Connection: close, with and without
    perf/tls-noresume.c, against an nginx logging $ssl_session_reused. A full-handshake run that
    resumed anything, or a resumption run that resumed less than 90 % (each connection's first
    handshake is a full one), fails the bench. Returns a line for the report."""
    server = NginxResumptionLog(workdir, root, free_port(), None)
    log = workdir / f"{server.name}-access.log"
    seen = []
    server.start()
    try:
        for scenario in scenarios:
            log.write_text("")
            subprocess.run(["wrk", "-t1", "-c4", "-d1s", *sum((["-H", h] for h in scenario.headers), []),
                            server.url_for(scenario)], env=load_environment(scenario), check=True,
                           capture_output=True)
            flags = log.read_text().split()
            resumed = flags.count("r")
            if not flags or (resumed if not scenario.resume else resumed < 0.9 * len(flags)):
                raise RuntimeError(f"wrk resumed {resumed} of {len(flags)} handshakes in the "
                                   f"'{scenario.key}' check: it would not measure what it says")
            seen.append(f"{scenario.key} {resumed:,} of {len(flags):,} resumed")
    finally:
        server.stop()
    return "wrk's handshakes, checked against nginx's $ssl_session_reused (wrk -c4 -d1s): " + "; ".join(seen)


def tls_facts(server):
    """What a TLS 1.3 client gets from `server`: "protocol cipher", and whether a second
    connection offering the first one's session ticket was resumed."""
    context = tls_client_context()
    session, facts = None, ""
    for _ in range(2):
        with socket.create_connection(("127.0.0.1", server.tls_port), timeout=5) as raw, \
                context.wrap_socket(raw, server_hostname="localhost", session=session) as tls:
            tls.sendall(b"GET /index.html HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            while tls.recv(65536):
                pass
            facts = f"{tls.version()} {tls.cipher()[0]}, resumes: {'yes' if tls.session_reused else 'NO'}"
            session = tls.session  # its ticket came in with the answer
    return facts


# ---------------------------------------------------------------- containers (--containers)

# The images scripts/container-images.sh builds from docker/Dockerfile and docker/nginx.Dockerfile.
RINGHTTPD_IMAGE = "localhost/ringhttpd:ci"
NGINX_IMAGE = "localhost/ringhttpd-nginx:ci"


def podman(*args, check=True):
    done = subprocess.run(["podman", *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args)}: exit {done.returncode}: {done.stderr.strip()}")
    return done


class Container:
    """A server of the classes above run as a container of `image`, with the same command line:
    host network (no NAT between wrk and the server, as when both are native), the bench's
    folder mounted at the same path (so every path in the command and the config holds), and
    pinned with --cpuset-cpus as taskset pins the native server. Mixed in before the server's
    class; CPU and memory are read from the container's processes on the host."""

    image = ""
    run_args = []
    image_version = ""  # read once, while the image is sure to exist

    def start(self):
        if not self.image_version:
            type(self).image_version = f"{self.read_version()} in {self.image}"
        self.container = f"bench-{self.name}-{os.getpid()}"
        podman("rm", "-f", "-t", "0", self.container, check=False)
        cpuset = [] if self.cpu is None else ["--cpuset-cpus", str(self.cpu)]
        podman("run", "-d", "--name", self.container, "--network=host",
               "-v", f"{self.workdir}:{self.workdir}", *cpuset, *self.run_args, self.image,
               *self.container_command())
        self.pid = int(podman("inspect", "-f", "{{.State.Pid}}", self.container).stdout)
        self.wait_listening(self.running, f"{self.workdir / self.name}.log")

    def running(self):
        if podman("inspect", "-f", "{{.State.Running}}", self.container).stdout.strip() == "true":
            return True
        self.save_log()
        return False

    def save_log(self):
        log = podman("logs", self.container, check=False)
        (self.workdir / f"{self.name}.log").write_text(log.stdout + log.stderr)

    def stop(self):
        if getattr(self, "container", None):
            podman("stop", "-t", "5", self.container, check=False)
            self.save_log()
            podman("rm", "-f", "-t", "0", self.container, check=False)
            self.container = None

    def main_pid(self):
        return self.pid

    def version(self):
        return self.image_version


class ContainerRinghttpd(Container, Ringhttpd):
    image = RINGHTTPD_IMAGE
    run_args = ["--security-opt", f"seccomp={REPO / 'docker' / 'seccomp.json'}"]

    def container_command(self):
        return self.command()[1:]  # the image's entrypoint is the binary

    def read_version(self):
        return podman("run", "--rm", *self.run_args, self.image, "--version").stdout.strip()


class ContainerNginx(Container, Nginx):
    image = NGINX_IMAGE

    def container_command(self):
        return self.command()  # nginx -c CONF: the peer configuration of the native run

    def read_version(self):
        return podman("run", "--rm", self.image, "nginx", "-v").stderr.strip()


def container_store(args):
    """Points podman at the store scripts/container-images.sh fills, and builds the two images
    there unless --no-build finds them built. Returns the store when it is temporary."""
    store = Path(args.container_store) if args.container_store else Path(
        tempfile.mkdtemp(prefix="ringhttpd-bench-podman-"))
    os.environ["WORK"] = str(store)
    os.environ["CONTAINERS_STORAGE_CONF"] = str(store / "storage.conf")
    os.environ["CONTAINERS_CONF"] = str(store / "containers.conf")
    built = (store / "storage.conf").exists() and all(
        podman("image", "exists", image, check=False).returncode == 0
        for image in (RINGHTTPD_IMAGE, NGINX_IMAGE))
    if not (args.no_build and built):
        subprocess.run([str(REPO / "scripts" / "container-images.sh"), "ringhttpd", "nginx"], check=True)
    return None if args.container_store else store


def remove_container_store(store):
    podman("rm", "-af", "-t", "0", check=False)
    podman("rmi", "-af", check=False)
    # podman's overlay driver bind-mounts its folder on itself; it outlives the images.
    subprocess.run(["umount", str(store / "storage" / "overlay")], capture_output=True)
    shutil.rmtree(store, ignore_errors=True)


# ---------------------------------------------------------------- measuring


@dataclass
class Point:
    requests_per_s: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    transfer_mib_s: float = 0.0
    cpu_us_per_req: float = 0.0
    rss_mib: float = 0.0
    errors: int = 0
    requests: int = 0
    idle_bytes_per_conn: float = 0.0
    # Busy share of the server's CPU and of the load generator's CPUs during the run (0..1): a
    # client near 1 means requests/s measured the client, and only CPU per request still tells
    # the servers apart.
    server_busy: float = 0.0
    client_busy: float = 0.0
    note: str = ""
    # Instructions the server's processes retired per request (perf stat), None where perf
    # cannot count them.
    instructions_per_req: float | None = None


def parse_duration_ms(text):
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_size_mib(text):
    number, unit = re.match(r"([\d.]+)(\w*)", text).groups()
    return float(number) * {"B": 1 / 1048576, "KB": 1 / 1024, "MB": 1.0, "GB": 1024.0}.get(unit, 1 / 1048576)


def parse_wrk(output):
    point = Point()
    point.requests_per_s = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    point.requests = int(re.search(r"(\d+) requests in", output).group(1))
    point.transfer_mib_s = parse_size_mib(re.search(r"Transfer/sec:\s+(\S+)", output).group(1))
    point.p50_ms = parse_duration_ms(re.search(r"\n\s+50%\s+(\S+)", output).group(1))
    point.p99_ms = parse_duration_ms(re.search(r"\n\s+99%\s+(\S+)", output).group(1))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        point.errors += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        point.errors += int(non_2xx.group(1))
    return point


def load_command(server, scenario, seconds, args):
    """The closed-loop load generator's command line for one run of `scenario` against `server`."""
    url = server.url_for(scenario)
    if scenario.client == "bulkget":
        cmd = [str(BULKGET), f"-t{args.client_threads}", f"-c{scenario.connections}", f"-d{seconds}"]
    else:
        cmd = ["wrk", f"-t{args.client_threads}", f"-c{scenario.connections}", f"-d{seconds}s",
               "--latency", "--timeout", "5s"]
        if scenario.lua:
            cmd += ["-s", str(PERF / scenario.lua)]
    for header in scenario.headers:
        cmd += ["-H", header]
    cmd.append(url)
    if scenario.many_files:
        cmd += ["--", str(scenario.many_files)]  # the wrk script's argument: how many files
    return on_client_cpus(cmd, args)


def on_client_cpus(cmd, args):
    """`cmd` pinned to the load generator's CPUs, when the machine has CPUs to keep apart."""
    return cmd if args.client_cpu is None else ["taskset", "-c", str(args.client_cpu)] + cmd


def load_environment(scenario):
    """wrk's environment: without resumption, the shim that makes it forget each session."""
    if scenario.tls and not scenario.resume:
        return {**os.environ, "LD_PRELOAD": str(Server.tls.noresume)}
    return None


def run_load(server, scenario, seconds, args):
    return subprocess.run(load_command(server, scenario, seconds, args), capture_output=True,
                          text=True, check=True, env=load_environment(scenario)).stdout


def parse_bulkget(output):
    point = Point()
    point.requests = int(re.search(r"responses: (\d+)", output).group(1))
    point.requests_per_s = float(re.search(r"responses/s: ([\d.]+)", output).group(1))
    point.transfer_mib_s = float(re.search(r"MiB/s: ([\d.]+)", output).group(1))
    latency = re.search(r"latency ms: p50 ([\d.]+) p90 [\d.]+ p99 ([\d.]+)", output)
    point.p50_ms, point.p99_ms = float(latency.group(1)), float(latency.group(2))
    errors = re.search(r"errors: connect (\d+), io (\d+), status (\d+), protocol (\d+)", output)
    point.errors = sum(int(n) for n in errors.groups())
    return point


def parse_cpu_list(text):
    """CPU numbers from taskset's list form: "1", "4-11", "0,2-3"."""
    cpus = []
    for part in str(text).split(","):
        first, _, last = part.partition("-")
        cpus += range(int(first), int(last or first) + 1)
    return cpus


def cpu_times(cpus):
    """(busy, total) jiffies summed over `cpus`, from /proc/stat (idle and iowait are not busy)."""
    busy = total = 0
    wanted = {f"cpu{n}" for n in cpus}
    for line in Path("/proc/stat").read_text().splitlines():
        fields = line.split()
        if fields and fields[0] in wanted:
            values = [int(v) for v in fields[1:9]]  # user nice system idle iowait irq softirq steal
            total += sum(values)
            busy += sum(values) - values[3] - values[4]
    return busy, total


def parse_perf_stat(text):
    """(count, event) from `perf stat -x,` output, count None when the event was not counted
    ("<not supported>", "<not counted>") or nothing was printed."""
    for line in text.splitlines():
        fields = line.split(",")
        if len(fields) >= 3 and not line.startswith("#") and fields[2].startswith("instructions"):
            count = fields[0].strip()
            return (int(float(count)) if re.fullmatch(r"[\d.]+", count) else None), fields[2]
    return None, ""


PARANOID = Path("/proc/sys/kernel/perf_event_paranoid")


def probe_perf():
    """Whether `perf stat -e instructions` counts on this machine. Returns (event, note,
    old_paranoid): the event to attach to each run (None: the instructions columns say n/a), a
    line for the report, and, when this process (as root) had to lower
    kernel.perf_event_paranoid to 1 for it, the value main restores at the end."""
    if not shutil.which("perf"):
        return None, "perf is not installed (Debian: linux-perf): instructions per request n/a", None

    def counts():
        done = subprocess.run(["perf", "stat", "-x,", "-e", "instructions", "--", "true"],
                              capture_output=True, text=True)
        return (parse_perf_stat(done.stderr) if done.returncode == 0 else (None, "")), done.stderr

    (count, event), output = counts()
    old_paranoid = None
    if count is None and os.geteuid() == 0 and PARANOID.exists() and int(PARANOID.read_text()) > 1:
        old_paranoid = PARANOID.read_text().strip()
        PARANOID.write_text("1")
        (count, event), output = counts()
        if count is None:
            PARANOID.write_text(old_paranoid)
            old_paranoid = None
    if count is None:
        why = "not supported by this machine's (virtual) CPU" if "not supported" in output else \
            "not permitted (kernel.perf_event_paranoid; not root)" if os.geteuid() else "not counted"
        return None, f"perf stat -e instructions: {why}: instructions per request n/a", None
    note = f"instructions per request: `perf stat -e {event} -p PID` over each measured run"
    if event.endswith(":u"):
        note += " (user space only: kernel.perf_event_paranoid allows no more to a non-root user)"
    if old_paranoid is not None:
        note += (f"; this run lowered kernel.perf_event_paranoid from {old_paranoid} to 1 (as root) "
                 "and restores it at the end")
    return event, note, old_paranoid


class Usage:
    """Measures, around one run, the server's CPU seconds, how busy the client's CPUs were and,
    where perf can count them (args.perf_event), the instructions the server's processes
    retired."""

    def __init__(self, server, args):
        self.server = server
        self.client_cpus = parse_cpu_list(args.client_cpu) if args.client_cpu is not None else []
        # Scripts that build their own args (perf/pool.py) count no instructions.
        self.perf_event = getattr(args, "perf_event", None)
        self.perf = None
        self.instructions = None

    def __enter__(self):
        if self.perf_event:
            self.perf_output = self.server.workdir / "perf-stat.csv"
            pids = ",".join(str(pid) for pid in self.server.pids())
            self.perf = subprocess.Popen(["perf", "stat", "-x,", "-e", self.perf_event, "-o", str(self.perf_output),
                                          "-p", pids], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.2)  # attached before the load starts; the idle server adds next to nothing
        self.cpu_before, self.wall_before = self.server.cpu_seconds(), time.monotonic()
        self.client_before = cpu_times(self.client_cpus)
        return self

    def __exit__(self, *exc):
        self.cpu_s = self.server.cpu_seconds() - self.cpu_before
        self.wall_s = time.monotonic() - self.wall_before
        busy, total = (after - before for after, before in zip(cpu_times(self.client_cpus), self.client_before))
        self.client_busy = busy / total if total else 0.0
        if self.perf:
            self.perf.send_signal(signal.SIGINT)  # perf stat prints its counts and exits
            try:
                self.perf.wait(5)
                self.instructions, _ = parse_perf_stat(self.perf_output.read_text())
            except (subprocess.TimeoutExpired, OSError):
                self.perf.kill()
                self.perf.wait()

    def fill(self, point):
        point.cpu_us_per_req = self.cpu_s * 1e6 / max(point.requests, 1)
        if self.instructions is not None and point.requests:
            point.instructions_per_req = self.instructions / point.requests
        point.server_busy = self.cpu_s / self.wall_s if self.wall_s else 0.0
        point.client_busy = self.client_busy
        point.rss_mib = self.server.rss_kib() / 1024
        return point


def measure_closed_loop(server, scenario, seconds, args):
    with Usage(server, args) as usage:
        output = run_load(server, scenario, seconds, args)
    return usage.fill(parse_bulkget(output) if scenario.client == "bulkget" else parse_wrk(output))


def measure_fixed_rate(server, scenario, seconds, args):
    """h2load offers scenario.fixed_rate requests/s over the scenario's connections, whatever the
    answers' pace; latency percentiles come from its per-request log."""
    per_connection = max(1, scenario.fixed_rate // scenario.connections)
    log = server.workdir / "h2load-requests.log"
    log.unlink(missing_ok=True)
    cmd = ["h2load", "--h1", f"-c{scenario.connections}", f"-t{args.client_threads}",
           f"--rps={per_connection}", f"-D{seconds}", f"--log-file={log}",
           f"http://127.0.0.1:{server.port}{scenario.path}"]
    with Usage(server, args) as usage:
        output = subprocess.run(on_client_cpus(cmd, args), capture_output=True, text=True,
                                check=True).stdout
    # Each log line: start time (µs since the epoch), status, time to the whole answer (µs).
    rows = [line.split() for line in log.read_text().splitlines() if line.strip()]
    durations = sorted(int(row[2]) for row in rows)
    point = Point(requests=len(rows))
    point.requests_per_s = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", output).group(1))
    point.transfer_mib_s = parse_size_mib(re.search(r"finished in .*, ([\d.]+\w+)/s", output).group(1))
    if durations:
        point.p50_ms = durations[len(durations) // 2] / 1000
        point.p99_ms = durations[min(len(durations) - 1, len(durations) * 99 // 100)] / 1000
    failed = re.search(r"requests: \d+ total, \d+ started, \d+ done, \d+ succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", output)
    point.errors = sum(int(n) for n in failed.groups()) + sum(1 for row in rows if not row[1].startswith("2"))
    offered = per_connection * scenario.connections
    if point.requests_per_s < 0.95 * offered:  # it could not keep up: the latency says little
        point.note = f"fell behind the offered {offered:,} req/s"
    return usage.fill(point)


def tls_client_context():
    """A TLS 1.3 client that takes the run's self-signed certificate without a chain check (the
    handshake's own signature is still verified)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context


def measure_idle(server, count, tls=False):
    """Opens `count` keep-alive connections, each served one request, and reports RSS growth.
    With `tls`, over TLS 1.3 to the server's TLS port: each connection a full handshake."""
    request = b"GET /index.html HTTP/1.1\r\nHost: bench\r\n\r\n"
    context = tls_client_context() if tls else None
    time.sleep(0.5)
    before = server.rss_kib()
    conns, errors = [], 0
    try:
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", server.tls_port if tls else server.port), timeout=10)
            if context:
                s = context.wrap_socket(s, server_hostname="localhost")
            s.sendall(request)
            conns.append(s)
        for s in conns:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            if not data.startswith(b"HTTP/1.1 200"):
                errors += 1
            else:  # drain the 1 KB body so the connection is idle, not mid-response
                head, _, body = data.partition(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
                while len(body) < length:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    body += chunk
        time.sleep(1.0)
        after = server.rss_kib()
    finally:
        for s in conns:
            s.close()
    point = Point(errors=errors, requests=count)
    point.idle_bytes_per_conn = (after - before) * 1024 / count
    point.rss_mib = after / 1024
    return point


def measure_idle_fresh(server, scenario, args):
    # A fresh process, so connection slots left by earlier scenarios do not hide the growth.
    # A new port too: a process that used io_uring may hold its old one for a moment.
    server.stop()
    server.port = free_port()
    if server.tls_port:
        server.tls_port = free_port()
    server.start()
    return measure_idle(server, args.idle_connections, tls=scenario.tls)


def median_point(runs):
    """The run with the median requests/s, with p99 replaced by the median p99 of all runs: a
    single scheduling hiccup of this VM in one run then does not decide the latency column."""
    median = sorted(runs, key=lambda p: p.requests_per_s)[len(runs) // 2]
    median.p99_ms = statistics.median(p.p99_ms for p in runs)
    median.errors = sum(p.errors for p in runs)
    if len(runs) > 1:
        runs_note = "runs: " + " / ".join(f"{p.requests_per_s:,.0f}" for p in runs)
        median.note = "; ".join(n for n in (median.note, runs_note) if n)
    return median


def warm_page_cache(directory, count):
    """The files were written at the start; by now the kernel (DAMON reclaim on this VM) may have
    dropped them from the page cache, and whichever server ran first would pay for the disk. The
    many-files scenarios measure finding and opening files, not the disk: read the first `count`
    before every run."""
    for i in range(count):
        (directory / many_file_name(i)).read_bytes()


def run_time_ns(servers):
    """CPU time the servers' threads have had, in nanoseconds (/proc/PID/task/TID/schedstat)."""
    total = 0
    for server in servers:
        for pid in server.pids():
            for task in Path(f"/proc/{pid}/task").glob("*"):
                try:
                    total += int((task / "schedstat").read_text().split()[0])
                except (OSError, ValueError, IndexError):
                    pass
    return total


def wait_until_quiet(servers, window_s=1.0, allowed_ms=5.0, limit_s=10.0):
    """Waits until every server is idle, so that no server's leftover work lands on the shared
    server core during the next one's run: lighttpd, after the 100,000-file row, closes the
    ~20,000 descriptors it cached in bursts of ~30 ms every second for about three seconds,
    which gave the next server's run a p99 of 4 ms instead of 1.3. The window is a second long
    because such bursts come once a second."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        before = run_time_ns(servers)
        time.sleep(window_s)
        if run_time_ns(servers) - before < allowed_ms * 1e6:
            return
    print(f"warning: servers still busy after {limit_s:.0f} s; measuring anyway", file=sys.stderr)


def measure_scenario(servers, scenario, args):
    """One point per server. The repetitions are interleaved rather than run server after
    server, so slow drift of a shared machine spreads over every server, and the order turns
    round every other time (A B C, C B A, ...): a server that always ran first measured up to
    10 % more CPU per request than the same binary run second (2026-12-01, --baseline A/B)."""
    servers = [s for s in servers if s.path_for(scenario)]
    if scenario.idle_memory:
        return {server.name: measure_idle_fresh(server, scenario, args) for server in servers}
    for server in servers:
        server.prepare(scenario)
    if args.warmup:
        for server in servers:
            run_load(server, scenario, args.warmup, args)
    runs = {server.name: [] for server in servers}
    for repetition in range(args.repeat):
        for server in servers if repetition % 2 == 0 else reversed(servers):
            if scenario.many_files:
                warm_page_cache(servers[0].root / "many", scenario.many_files)
            wait_until_quiet(servers)
            measure = measure_fixed_rate if scenario.fixed_rate else measure_closed_loop
            runs[server.name].append(measure(server, scenario, args.seconds, args))
    return {name: median_point(points) for name, points in runs.items()}


# ---------------------------------------------------------------- reporting


def machine_description():
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{model}, {os.cpu_count()} CPUs, Linux {platform.release()}"


def ratio(a, b):
    return a / b if a and b else float("nan")


def instructions(point):
    """Instructions per request for a table: "n/a" where perf could not count them."""
    return "n/a" if point.instructions_per_req is None else f"{point.instructions_per_req:,.0f}"


def times_floor(point, floor):
    """The point's CPU per request over the floor's in the same scenario ("" without a floor)."""
    return f"{ratio(point.cpu_us_per_req, floor.cpu_us_per_req):.2f}" if floor else ""


def floor_section(results, servers, args):
    """Each server's distance to the floor (perf/responder.cpp) in the scenarios it runs in: CPU
    per request over the floor's, instructions per request (stable where times are noisy) and
    over the floor's, and CPU per request over each peer's."""
    rows = [s for s in SCENARIOS if s.key in results and Floor.name in results[s.key]]
    if not rows:
        return []
    peers = [name for name in PEERS if any(name in results[s.key] for s in rows)]
    lines = ["", "## Distance to the floor", "",
             "The floor is perf/responder.cpp: io_uring multishot accept and receive, one fixed "
             "response per request end, no HTTP, with a body as long as the row's answer. × floor = "
             "the server's CPU per request / the floor's in the same run.", "",
             f"- {args.perf_note}", "",
             "| scenario | server | CPU µs/req | × floor | instructions/req | instructions × floor | "
             + " | ".join(f"CPU vs {name}" for name in peers) + " |",
             "|---|---|---|---|---|---|" + "---|" * len(peers)]
    for scenario in rows:
        row = results[scenario.key]
        floor = row[Floor.name]
        for server in servers:
            p = row.get(server.name)
            if p is None:
                continue
            vs = [f"{ratio(p.cpu_us_per_req, row[name].cpu_us_per_req):.2f}" if name in row else "n/a"
                  for name in peers]
            instructions_x = ("n/a" if p.instructions_per_req is None or not floor.instructions_per_req
                              else f"{p.instructions_per_req / floor.instructions_per_req:.2f}")
            lines.append(f"| {scenario.title} | {server.name} | {p.cpu_us_per_req:.2f} | {times_floor(p, floor)} | "
                         f"{instructions(p)} | {instructions_x} | " + " | ".join(vs) + " |")
    return lines


# A load generator this busy is the limit of the run: the servers' requests/s then mostly say how
# fast the client is.
CLIENT_BOUND = 0.95


def best_peer_section(results):
    """ringhttpd against the best peer of each scenario (the fastest; at a fixed load, the one
    with the lowest p99), by requests/s and by server-core capacity (requests per second of
    server CPU: the peer's CPU per request over ringhttpd's), with what limited the run. When
    the client's CPUs are saturated the requests/s ratio is the client's ceiling, and the
    capacity ratio is what would separate the servers on a machine where the server core is
    the limit."""
    lines = ["", "## Ratios ringhttpd / best peer", "",
             "Server-core capacity = the peer's CPU per request / ringhttpd's: requests each server "
             "could answer per second of its one core. When wrk's CPU is saturated (limit: client), "
             "requests/s compares the client's ceiling and capacity is the ratio that tells the "
             "servers apart.", "",
             "| scenario | best peer | requests/s | server-core capacity | p99 latency | limit |",
             "|---|---|---|---|---|---|"]
    for scenario in SCENARIOS:
        row = results.get(scenario.key, {})
        ring = row.get("ringhttpd")
        # A peer that failed requests is not ranked: its requests/s count the failures.
        peers = [(name, p) for name, p in row.items() if not is_ours(name) and name != Floor.name and not p.errors]
        if scenario.idle_memory or not ring or not peers:
            continue
        client = max(p.client_busy for p in row.values())
        if scenario.fixed_rate:
            # Every server answers the same offered load: the best is the lowest p99.
            name, best = min(peers, key=lambda item: item[1].p99_ms)
            limit = f"the offered load (ringhttpd {ring.server_busy:.0%} of its core)"
        else:
            name, best = max(peers, key=lambda item: item[1].requests_per_s)
            limit = (f"client ({client:.0%} busy)" if client >= CLIENT_BOUND
                     else f"server (ringhttpd {ring.server_busy:.0%} of its core)")
        lines.append(f"| {scenario.title} | {name} | {ratio(ring.requests_per_s, best.requests_per_s):.2f} | "
                     f"{ratio(best.cpu_us_per_req, ring.cpu_us_per_req):.2f} | "
                     f"{ratio(ring.p99_ms, best.p99_ms):.2f} | {limit} |")
    return lines


def tls_section(results, servers, args):
    """The TLS scenarios per server, with CPU per request and p99 set against nginx's and h2o's
    (the servers most often put in front of others for TLS), and the checks behind them."""
    rows = [s for s in SCENARIOS if s.tls and s.key in results]
    if not rows:
        return []
    lines = ["", "## TLS 1.3", "",
             "Each server's TLS listener has the same ECDSA P-256 self-signed certificate made for "
             "this run, TLS 1.2 and 1.3 enabled and session tickets on; every client negotiates "
             "TLS 1.3. `tls-full`: wrk with `Connection: close` and perf/tls-noresume.c, a full "
             "handshake per request; `tls-resume`: the same without the shim, each connection "
             "resuming with the previous one's ticket.", ""]
    lines += [f"- {note}" for note in args.tls_notes]
    lines += ["", "| scenario | server | requests/s | CPU µs/req | p99 ms | CPU vs nginx | CPU vs h2o | "
              "p99 vs nginx | p99 vs h2o | client CPU |", "|---|---|---|---|---|---|---|---|---|---|"]
    for scenario in rows:
        row = results[scenario.key]
        ngx, h2o = row.get("nginx"), row.get("h2o")
        for server in servers:
            p = row.get(server.name)
            if p is None:
                continue
            if scenario.idle_memory:
                vs = [ratio(p.idle_bytes_per_conn, other.idle_bytes_per_conn) if other else float("nan")
                      for other in (ngx, h2o)]
                lines.append(f"| {scenario.title} | {server.name} | {p.idle_bytes_per_conn:,.0f} bytes per "
                             f"connection | | | {vs[0]:.2f} (memory) | {vs[1]:.2f} (memory) | | | |")
                continue
            cpu = [ratio(p.cpu_us_per_req, o.cpu_us_per_req) if o else float("nan") for o in (ngx, h2o)]
            p99 = [ratio(p.p99_ms, o.p99_ms) if o else float("nan") for o in (ngx, h2o)]
            lines.append(f"| {scenario.title} | {server.name} | {p.requests_per_s:,.0f} | {p.cpu_us_per_req:.1f} | "
                         f"{p.p99_ms:.2f} | {cpu[0]:.2f} | {cpu[1]:.2f} | {p99[0]:.2f} | {p99[1]:.2f} | "
                         f"{p.client_busy:.0%} |")
    return lines


def baseline_section(results):
    """ringhttpd against the --baseline build: what a change costs or gains, from one run."""
    lines = ["", "## Ratios ringhttpd / baseline (A/B)", "",
             "| scenario | requests/s | CPU per request | p99 latency |", "|---|---|---|---|"]
    for scenario in SCENARIOS:
        row = results.get(scenario.key, {})
        ring, base = row.get("ringhttpd"), row.get("baseline")
        if scenario.idle_memory or not ring or not base:
            continue
        lines.append(f"| {scenario.title} | {ratio(ring.requests_per_s, base.requests_per_s):.3f} | "
                     f"{ratio(ring.cpu_us_per_req, base.cpu_us_per_req):.3f} | "
                     f"{ratio(ring.p99_ms, base.p99_ms):.2f} |")
    return lines if len(lines) > 5 else []


def compat_section(results, servers):
    """ringhttpd under each --compat mask against ringhttpd with every feature of this kernel:
    what users of older kernels give up."""
    masked = [s.name for s in servers if s.name.startswith("ringhttpd-compat-")]
    lines = ["", "## Ratios ringhttpd under RINGHTTPD_KERNEL_COMPAT / ringhttpd (docs/kernels.md)", "",
             "| scenario | mask | requests/s | CPU per request | p99 latency |", "|---|---|---|---|---|"]
    for scenario in SCENARIOS:
        row = results.get(scenario.key, {})
        full = row.get("ringhttpd")
        for name in masked:
            p = row.get(name)
            if scenario.idle_memory or not full or not p:
                continue
            lines.append(f"| {scenario.title} | {name.removeprefix('ringhttpd-compat-')} | "
                         f"{ratio(p.requests_per_s, full.requests_per_s):.3f} | "
                         f"{ratio(p.cpu_us_per_req, full.cpu_us_per_req):.3f} | "
                         f"{ratio(p.p99_ms, full.p99_ms):.2f} |")
    return lines if len(lines) > 5 else []


def write_report(results, servers, args, started, out_dir):
    stamp = started.strftime("%Y-%m-%d-%H%M")
    names = [s.name for s in servers]
    lines = [
        f"# ringhttpd benchmark, {started.strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"- Machine: {machine_description()}",
        f"- Method: each server pinned to CPU {args.server_cpu} with one thread/worker, "
        f"wrk -t{args.client_threads} pinned to CPU {args.client_cpu}; {args.warmup} s warm-up, then "
        f"{args.seconds} s x {args.repeat} per point, the servers taking turns (A B C, C B A, ...); "
        "the run with the median requests/s is reported, with the median p99 of all runs.",
        "- Servers: " + "; ".join(f"{s.name} ({s.version()})" for s in servers),
        *(["- Containers: each server in its image (docker/Dockerfile, docker/nginx.Dockerfile), "
            "podman with runc, host network, pinned with --cpuset-cpus; ringhttpd with "
            "docker/seccomp.json"] if args.containers else []),
        f"- Command: `perf/bench.py {' '.join(sys.argv[1:])}`",
        "",
        "## Ratios ringhttpd / nginx",
        "",
        "Requests/s above 1 and CPU per request and p99 below 1 favour ringhttpd.",
        "",
        "| scenario | requests/s | CPU per request | p99 latency | memory per idle connection |",
        "|---|---|---|---|---|",
    ]
    for scenario in SCENARIOS:
        row = results.get(scenario.key, {})
        ring, ngx = row.get("ringhttpd"), row.get("nginx")
        if not ring or not ngx:
            continue
        if scenario.idle_memory:
            lines.append(f"| {scenario.title} | | | | {ratio(ring.idle_bytes_per_conn, ngx.idle_bytes_per_conn):.2f} |")
        else:
            lines.append(
                f"| {scenario.title} | {ratio(ring.requests_per_s, ngx.requests_per_s):.2f} | "
                f"{ratio(ring.cpu_us_per_req, ngx.cpu_us_per_req):.2f} | {ratio(ring.p99_ms, ngx.p99_ms):.2f} | |")
    lines += tls_section(results, servers, args)
    lines += best_peer_section(results)
    lines += floor_section(results, servers, args)
    lines += baseline_section(results)
    lines += compat_section(results, servers)
    lines += ["", "## All points", "",
              "| scenario | server | requests/s | vs nginx | p50 ms | p99 ms | MiB/s | CPU µs/req | × floor | "
              "instructions/req | server CPU | client CPU | RSS MiB | errors | notes |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for scenario in SCENARIOS:
        row = results.get(scenario.key, {})
        ngx, floor = row.get("nginx"), row.get(Floor.name)
        for name in names:
            p = row.get(name)
            if p is None:
                if scenario.key in results and name != Floor.name:
                    lines.append(f"| {scenario.title} | {name} | n/a | | | | | | | | | | | | no equivalent handler |")
                continue
            if scenario.idle_memory:
                vs = ratio(p.idle_bytes_per_conn, ngx.idle_bytes_per_conn) if ngx else float("nan")
                lines.append(f"| {scenario.title} | {name} | | {vs:.2f} | | | | | | | | | {p.rss_mib:.1f} | "
                             f"{p.errors} | {p.idle_bytes_per_conn:,.0f} bytes per connection "
                             f"({p.requests:,} connections) |")
                continue
            vs = ratio(p.requests_per_s, ngx.requests_per_s) if ngx else float("nan")
            lines.append(f"| {scenario.title} | {name} | {p.requests_per_s:,.0f} | {vs:.2f} | {p.p50_ms:.2f} | "
                         f"{p.p99_ms:.2f} | {p.transfer_mib_s:,.1f} | {p.cpu_us_per_req:.1f} | "
                         f"{times_floor(p, floor)} | {instructions(p)} | "
                         f"{p.server_busy:.0%} | {p.client_busy:.0%} | {p.rss_mib:.1f} | "
                         f"{p.errors} | {p.note} |")
    out_dir.mkdir(parents=True, exist_ok=True)
    table = out_dir / f"{stamp}.md"
    chart = out_dir / f"{stamp}.png"
    if draw_chart(results, [n for n in names if n != Floor.name], chart):
        lines += ["", f"![requests/s relative to nginx]({chart.name})"]
    table.write_text("\n".join(lines) + "\n")
    return table, chart if chart.exists() else None


def draw_chart(results, names, chart):
    """A gnuplot bar chart of each server's requests/s relative to nginx, per scenario."""
    if not shutil.which("gnuplot"):
        return False
    rows = []
    for scenario in SCENARIOS:
        row = results.get(scenario.key, {})
        ngx = row.get("nginx")
        if scenario.idle_memory or not ngx:
            continue
        values = [ratio(row[n].requests_per_s, ngx.requests_per_s) if row.get(n) else float("nan") for n in names]
        rows.append((scenario.key, values))
    if not rows:
        return False
    data = chart.with_suffix(".dat")
    data.write_text("".join(f"{key} " + " ".join("NaN" if v != v else f"{v:.3f}" for v in values) + "\n"
                            for key, values in rows))
    plot = ", ".join(f"'{data}' using {i + 2}:xtic(1) title '{n}'" for i, n in enumerate(names))
    script = f"""
set terminal pngcairo size 1000,500 font ',11'
set output '{chart}'
set title 'requests/s relative to nginx (1.0 = nginx), one server core'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top right
set yrange [0:*]
set grid ytics
set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 lc rgb '#444444'
plot {plot}
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    data.unlink()
    return True


# ---------------------------------------------------------------- main


def build_ringhttpd():
    subprocess.run([str(REPO / "scripts" / "build.sh"), "release"], check=True, stdout=subprocess.DEVNULL)


def many_file_name(i):
    return f"f{i:05d}.html"  # as wrk-many-files.lua names them


def make_files(root, many_files=MANY_FILES):
    """The files every server serves, and the first `many_files` of many/ (writing all 100,000
    takes tens of seconds on this VM, wasted on a run without the many-files scenarios)."""
    root.mkdir()
    line = b"<p>ringhttpd benchmark page: the same bytes for every server.</p>\n"
    for name, size in FILES.items():
        (root / name).write_bytes((line * (size // len(line) + 1))[:size])
    (root / "many").mkdir()
    page = (line * (4096 // len(line) + 1))[:4096]
    for i in range(many_files):
        (root / "many" / many_file_name(i)).write_bytes(page)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tls", action="store_true",
                        help="the TLS 1.3 scenarios (tls-*): keep-alive 1 KB, full and resumed "
                             "handshakes, 1 MB, idle memory; with --only, those and the named ones")
    parser.add_argument("--quick", action="store_true",
                        help="2 s per point, no repetition, 1,000 idle connections: checks the suite works")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--idle-connections", type=int, default=10000)
    parser.add_argument("--only", default="", help="comma-separated scenario keys: "
                        + ",".join(s.key for s in SCENARIOS))
    parser.add_argument("--peers", default="nginx,h2o,lighttpd",
                        help="peers to run when installed (nginx is required)")
    parser.add_argument("--out", default=str(PERF / "results"), help="where the table and chart go")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--floor", type=Path, default=Floor.binary,
                        help="the floor responder (perf/responder.cpp) run in the 1k, 4k and dyn "
                             "scenarios for the \"× floor\" columns; skipped with a warning when missing")
    parser.add_argument("--no-floor", action="store_true", help="run without the floor responder")
    parser.add_argument("--ringhttpd", type=Path, default=Ringhttpd.binary,
                        help="the ringhttpd binary to run (default: the build/ one this script builds)")
    parser.add_argument("--baseline", type=Path,
                        help="another ringhttpd binary (an earlier commit's build) to run beside this "
                             "one: the report gains an A/B table")
    parser.add_argument("--client-cpus", default="",
                        help="CPUs for wrk, as taskset takes them (default: the second CPU). With a "
                             "many-core machine, give wrk several so the server, not wrk, is the limit")
    parser.add_argument("--client-threads", type=int, default=1, help="wrk threads (-t)")
    parser.add_argument("--compat", default="",
                        help="comma-separated RINGHTTPD_KERNEL_COMPAT masks (e.g. 6.12,6.1,6.0,5.19): "
                             "ringhttpd runs once more under each, and the report gains a table of "
                             "what each older kernel's paths cost")
    parser.add_argument("--production", action="store_true",
                        help="the production profile: access logs to files, security headers and "
                             "gzip on, for ringhttpd and nginx (unbuffered and buffer=64k); "
                             "ringhttpd-nolog shows what the log costs")
    parser.add_argument("--containers", action="store_true",
                        help="ringhttpd and nginx as containers (podman, host network, the same "
                             "command lines and pinning), built from docker/ by "
                             "scripts/container-images.sh")
    parser.add_argument("--container-store", default="",
                        help="with --containers: the podman store to build in and keep (default: "
                             "a temporary one); with --no-build its images are reused")
    args = parser.parse_args()
    if args.containers and (args.production or args.baseline):
        parser.error("--containers runs the bare profile with this tree's images only")
    if args.containers and (args.tls or "tls-" in args.only):
        parser.error("--containers has no TLS scenarios")
    if args.quick:
        args.seconds, args.repeat, args.warmup, args.idle_connections = 2, 1, 0, 1000
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) >= 2:
        args.server_cpu, args.client_cpu = cpus[0], args.client_cpus or cpus[1]
    else:
        print("warning: fewer than 2 CPUs: server and wrk are not pinned apart", file=sys.stderr)
        args.server_cpu = args.client_cpu = None
    return args


def main():
    args = parse_args()
    for tool in ("wrk", "podman" if args.containers else "nginx"):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is missing (apt-get install wrk nginx-light)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # for 10,000 idle connections
    if hard < args.idle_connections + 1000:
        sys.exit(f"bench: RLIMIT_NOFILE hard limit {hard} is too low for {args.idle_connections} connections")
    if not args.no_build:
        build_ringhttpd()
    if not BULKGET.exists():
        sys.exit(f"bench: {BULKGET} is missing: build it with scripts/build.sh release")

    wanted = set(filter(None, args.only.split(",")))
    if args.tls:
        scenarios = [s for s in SCENARIOS if s.tls or s.key in wanted]
    else:
        scenarios = [s for s in SCENARIOS if s.key in wanted or (not wanted and not s.opt_in)]
    started = datetime.datetime.now(datetime.timezone.utc)
    workdir = Path(tempfile.mkdtemp(prefix="ringhttpd-bench-"))
    workdir.chmod(0o755)  # peers that drop privileges must still read the files
    root = workdir / "www"
    make_files(root, max((s.many_files for s in scenarios), default=0))
    args.tls_notes = []
    if any(s.tls for s in scenarios):
        Server.tls = make_tls(workdir)
        handshakes = [s for s in scenarios if s.tls and s.headers]
        if handshakes:
            args.tls_notes.append(check_wrk_resumption(workdir, root, handshakes))
            print(args.tls_notes[-1], flush=True)

    classes = [Ringhttpd] + [cls for name, (cls, binary) in PEERS.items()
                             if name in args.peers.split(",") and shutil.which(binary)]
    if args.production:
        # Every server with its access log to a file, the security headers and gzip; nginx
        # also with a buffered log, ringhttpd also without its log (what the log costs).
        classes = [Ringhttpd, RinghttpdNoLog] + classes[1:]
        if Nginx in classes:
            classes.insert(classes.index(Nginx) + 1, NginxBuffered)
        for cls in classes:
            cls.production = True
    Ringhttpd.binary = args.ringhttpd
    if args.baseline:
        classes.insert(1, RinghttpdBaseline)
        RinghttpdBaseline.binary = args.baseline
    for i, mask in enumerate(filter(None, args.compat.split(","))):
        classes.insert(1 + i, compat_server(mask))
    Ringhttpd.debug_routes = any(s.path == "@pooled" for s in scenarios)
    temporary_store = None
    if args.containers:
        classes = [ContainerRinghttpd, ContainerNginx]
        temporary_store = container_store(args)
    elif not args.no_floor and any(s.key in FLOOR_BODIES and not s.tls for s in scenarios):
        if args.floor.exists():
            Floor.binary = args.floor
            classes.append(Floor)
        else:
            print(f"warning: {args.floor} is missing (cmake --build build --target floor_responder): "
                  "no floor, the × floor columns are empty", file=sys.stderr)
    args.perf_event, args.perf_note, old_paranoid = probe_perf()
    print(args.perf_note, flush=True)
    servers = [cls(workdir, root, free_port(), args.server_cpu) for cls in classes]
    results = {}
    try:
        for server in servers:
            server.start()
        if any(isinstance(s, Floor) for s in servers):
            ring = servers[0]  # ringhttpd (or its container): the tiny dynamic answer to match
            Floor.dynamic_body = body_length(ring.port, ring.dynamic_path)
        if Server.tls:
            facts = "; ".join(f"{s.name} {tls_facts(s)}" for s in servers if s.tls_port)
            args.tls_notes.append("Negotiated (a Python client, then again offering its ticket): " + facts)
            print(args.tls_notes[-1], flush=True)
            if "NO" in facts:
                raise RuntimeError("a server did not resume a TLS session: " + facts)
        for scenario in scenarios:
            results[scenario.key] = measure_scenario(servers, scenario, args)
            for name, point in results[scenario.key].items():
                shown = (f"{point.idle_bytes_per_conn:,.0f} B/conn" if scenario.idle_memory
                         else f"{point.requests_per_s:,.0f} req/s, p99 {point.p99_ms:.2f} ms, "
                              f"{point.cpu_us_per_req:.1f} µs CPU/req, {instructions(point)} instructions/req, "
                              f"client CPU {point.client_busy:.0%}")
                print(f"{scenario.title:<40} {name:<10} {shown}, errors {point.errors}", flush=True)
    finally:
        for server in servers:
            server.stop()
        if temporary_store:
            remove_container_store(temporary_store)
        if old_paranoid is not None:
            PARANOID.write_text(old_paranoid)

    table, chart = write_report(results, servers, args, started, Path(args.out))
    print(f"\nwrote {table}" + (f" and {chart}" if chart else ""))
    shutil.rmtree(workdir, ignore_errors=True)

    # A peer's failures are its own (lighttpd, say, keeps a descriptor per file served and fails
    # requests once it runs out): reported, and the peer left out of the best-peer ranking.
    # ringhttpd's fail the run.
    failures = [(key, name, p.errors) for key, row in results.items() for name, p in row.items() if p.errors]
    for key, name, errors in failures:
        label = "FAILED" if name == "ringhttpd" else "note"
        print(f"{label}: {name} had {errors} errors in scenario '{key}'", file=sys.stderr)
    if any(name == "ringhttpd" for _, name, _ in failures):
        sys.exit(1)


if __name__ == "__main__":
    main()
