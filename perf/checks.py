"""What the perf/ scripts share: a free port, and wrk's summary read as pass/fail facts."""

import re
import socket


def free_port():
    """A port nothing listens on now (the kernel's pick of a free one)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk_summary(output):
    """(completed requests or None, the socket errors line or None, non-2xx count or None)."""
    requests = re.search(r"(\d+) requests in", output)
    errors = re.search(r"Socket errors: (.*)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return (int(requests.group(1)) if requests else None, errors.group(1) if errors else None,
            int(non_2xx.group(1)) if non_2xx else None)
