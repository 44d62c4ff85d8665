#!/usr/bin/env python3
"""TLS checks against a running ringhttpd, with Python's ssl module (tests/e2e/tls_test.cpp).

Usage: tls_client.py CHECK PORT CA_FILE [SERVER_PID | CORPUS_DIR]. Prints "ok" when the check holds, else what went wrong.
"""
import socket
import ssl
import sys
import warnings

# TLS 1.0 and 1.1 are deprecated in Python too; the check offers them on purpose.
warnings.filterwarnings("ignore", category=DeprecationWarning)

HOST = "127.0.0.1"


def context(ca_file, minimum=ssl.TLSVersion.TLSv1_2, maximum=ssl.TLSVersion.TLSv1_3):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca_file)
    ctx.minimum_version = minimum
    ctx.maximum_version = maximum
    return ctx


def connect(ctx, port, server_name="a.test", session=None):
    raw = socket.create_connection((HOST, port), timeout=10)
    return ctx.wrap_socket(raw, server_hostname=server_name, session=session)


def read_response(conn, buffered, heads=None):
    """Reads one response with a Content-Length body; returns (status, body, rest). Appends the
    header lines, lowercased, to `heads` when given."""
    while b"\r\n\r\n" not in buffered:
        chunk = conn.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed before a response head: %r" % buffered)
        buffered += chunk
    head, rest = buffered.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    if heads is not None:
        heads.extend(line.lower() for line in lines[1:])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed mid-body")
        rest += chunk
    return status, rest[:length], rest[length:]


def request(host, path="/"):
    return ("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, host)).encode()


def status_of_get(conn, host="a.test"):
    """Sends GET / for `host` on `conn` and returns the answer's status."""
    conn.sendall(request(host))
    status, _, _ = read_response(conn, b"")
    return status


def check_versions(port, ca_file):
    """TLS 1.2 and 1.3 are spoken; 1.0 and 1.1 are refused even by a client that offers them."""
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        with connect(context(ca_file, version, version), port) as conn:
            if conn.version() != version.name.replace("v1_", "v1."):
                return "asked %s, got %s" % (version.name, conn.version())
    for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
        ctx = context(ca_file, version, version)
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # the client is willing; the server must refuse
        try:
            with connect(ctx, port) as conn:
                return "%s was accepted (%s)" % (version.name, conn.version())
        except ssl.SSLError as e:
            # The server's protocol_version alert, not the client refusing on its own.
            if "PROTOCOL_VERSION" not in str(e):
                return "%s failed otherwise: %s" % (version.name, e)
    return "ok"


def check_alpn(port, ca_file):
    ctx = context(ca_file)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with connect(ctx, port) as conn:
        chosen = conn.selected_alpn_protocol()
    return "ok" if chosen == "http/1.1" else "ALPN chose %r" % chosen


def check_keepalive_and_pipelining(port, ca_file):
    """Three pipelined requests in one write, then a fourth on the same connection."""
    with connect(context(ca_file), port) as conn:
        conn.sendall(request("a.test") * 3)
        rest = b""
        for _ in range(3):
            status, body, rest = read_response(conn, rest)
            if status != 200 or body != b"site a\n":
                return "pipelined: %d %r" % (status, body)
        conn.sendall(request("a.test", "/nothing-here"))
        status, _, rest = read_response(conn, rest)
        if status != 404:
            return "keep-alive: %d" % status
    return "ok"


def check_resumption(port, ca_file):
    """A TLS 1.3 ticket from one connection resumes on the next ones, whichever ring they land on."""
    ctx = context(ca_file, ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_3)
    with connect(ctx, port) as conn:
        conn.sendall(request("a.test"))
        read_response(conn, b"")  # the tickets come after the handshake, before this answer
        session = conn.session
    for attempt in range(8):  # spread over the server's rings
        with connect(ctx, port, session=session) as conn:
            if not conn.session_reused:
                return "attempt %d was a full handshake" % attempt
            status = status_of_get(conn)
            if status != 200:
                return "resumed connection answered %d" % status
    return "ok"


def check_connection_limit(port, ca_file):
    """With limit_conn 1, a second connection of the same client is refused after its handshake."""
    ctx = context(ca_file)
    with connect(ctx, port) as first, connect(ctx, port) as second:
        status = status_of_get(second)
        if status != 503:
            return "the second connection got %d" % status
        status = status_of_get(first)
        if status != 200:
            return "the first connection got %d" % status
    return "ok"


def check_reload_under_load(port, ca_file, server_pid):
    """Four clients request without pause, half on new connections (full handshakes) and half
    on keep-alive ones, while the server reloads its certificates five times: no request may
    fail."""
    import os
    import signal
    import threading
    import time

    ctx = context(ca_file)
    stop = threading.Event()
    failures = []
    answered = [0]

    def load(keep_alive):
        conn = None
        while not stop.is_set():
            try:
                if conn is None:
                    conn = connect(ctx, port)
                conn.sendall(request("a.test"))
                head = []
                status, body, _ = read_response(conn, b"", head)
                if status != 200 or body != b"site a\n":
                    failures.append("answered %d %r" % (status, body))
                answered[0] += 1
                # keepalive_requests: the last answer on a connection says so.
                if not keep_alive or "connection: close" in head:
                    conn.close()
                    conn = None
            except (OSError, RuntimeError) as e:
                failures.append("%s %s" % ("keep-alive" if keep_alive else "new", repr(e)))
                conn = None
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=load, args=(i % 2 == 0,)) for i in range(4)]
    for t in threads:
        t.start()
    for _ in range(5):
        time.sleep(0.4)
        os.kill(server_pid, signal.SIGHUP)
    time.sleep(0.4)
    stop.set()
    for t in threads:
        t.join()
    if failures:
        return "%d of %d requests failed, first: %s" % (len(failures), answered[0], failures[0])
    return "ok" if answered[0] > 100 else "only %d requests answered" % answered[0]


def check_corpus(port, ca_file, directory):
    """Sends each file of a fuzzer corpus over its own TLS connection (32 at a time) and reads
    until the server answers and closes, or goes quiet for 0.3 s (an incomplete request, which
    the server rightly waits on); then the server must still answer a plain request."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    ctx = context(ca_file)

    def send(name):
        with open(os.path.join(directory, name), "rb") as f:
            data = f.read()
        with connect(ctx, port) as conn:
            conn.settimeout(0.3)
            try:
                conn.sendall(data)
                while conn.recv(65536):
                    pass
            except socket.timeout:
                pass  # waiting for the rest of a request
            except (ssl.SSLError, OSError):
                pass  # a reset after a 400 and a close

    files = sorted(os.listdir(directory))
    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(send, files))
    with connect(ctx, port) as conn:
        status = status_of_get(conn)
        if status != 200:
            return "after the corpus the server answered %d" % status
    return "ok %d" % len(files)


def main():
    check, port, ca_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if check == "reload":
        print(check_reload_under_load(port, ca_file, int(sys.argv[4])))
        return
    if check == "corpus":
        print(check_corpus(port, ca_file, sys.argv[4]))
        return
    checks = {
        "versions": check_versions,
        "alpn": check_alpn,
        "keepalive": check_keepalive_and_pipelining,
        "resumption": check_resumption,
        "limit": check_connection_limit,
    }
    print(checks[check](port, ca_file))


if __name__ == "__main__":
    main()
