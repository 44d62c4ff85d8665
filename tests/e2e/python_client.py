"""Drives ringhttpd with Python's http.client over one keep-alive connection.
Prints "ok" when every check passes, else the first failure."""
import http.client
import json
import sys

port = int(sys.argv[1])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)


def check(cond, what):
    if not cond:
        print("FAILED:", what)
        sys.exit(1)


conn.request("GET", "/api/hello?name=Python")
r = conn.getresponse()
check(r.status == 200, "hello status")
check(json.loads(r.read()) == {"message": "Hello, Python!"}, "hello body")

conn.request("POST", "/api/echo", body=json.dumps({"n": [1, 2]}), headers={"Content-Type": "application/json"})
r = conn.getresponse()
check(json.loads(r.read()) == {"echo": {"n": [1, 2]}}, "echo body")

conn.request("GET", "/api/time")
r = conn.getresponse()
check("time" in json.loads(r.read()), "time body")

conn.request("HEAD", "/")
r = conn.getresponse()
check(r.status == 200 and r.read() == b"" and int(r.getheader("Content-Length")) > 0, "head")

conn.request("GET", "/no/such/file")
r = conn.getresponse()
r.read()
check(r.status == 404, "404")

conn.request("GET", "/")
r = conn.getresponse()
check(b"ringhttpd" in r.read(), "index")
check(conn.sock is not None, "connection was kept alive")
print("ok")
