#!/usr/bin/env python3
"""Checks an strace -f log of ringhttpd against a systemd unit's seccomp settings.

usage: syscall-filter-check.py UNIT TRACE

From UNIT it reads SystemCallFilter= (allow and ~deny lists, groups expanded with
`systemd-analyze syscall-filter`), RestrictAddressFamilies= and MemoryDenyWriteExecute=; from
TRACE every system call the server made. It fails, naming them, if the server called anything
the filter refuses, opened a socket of a refused family, or asked for memory that is writable
and executable (or made memory executable later), which MemoryDenyWriteExecute refuses.
Operations the server submits through io_uring are not system calls, and seccomp never sees
them: this checks what seccomp would check, no more.
"""
import re
import subprocess
import sys


def groups():
    """Every @group of this systemd, as {name: [members]}; members may be groups."""
    text = subprocess.run(["systemd-analyze", "syscall-filter"], check=True,
                          capture_output=True, text=True).stdout
    out, current = {}, None
    for line in text.splitlines():
        if line.startswith("@"):
            current = line.strip()
            out[current] = []
        elif current and line.strip() and not line.strip().startswith("#"):
            out[current].append(line.strip())
    return out


def expand(names, table, seen=None):
    seen = set() if seen is None else seen
    result = set()
    for name in names:
        if name.startswith("@"):
            if name in seen:
                continue
            seen.add(name)
            result |= expand(table[name], table, seen)
        else:
            result.add(name)
    return result


def unit_settings(path):
    allow, deny, families, mdwe = set(), set(), None, False
    table = groups()
    for line in open(path):
        key, _, value = line.strip().partition("=")
        if key == "SystemCallFilter":
            if value.startswith("~"):
                deny |= expand(value[1:].split(), table)
            else:
                allow |= expand(value.split(), table)
        elif key == "RestrictAddressFamilies":
            families = set(value.split())
        elif key == "MemoryDenyWriteExecute":
            mdwe = value == "yes"
    return allow - deny, families, mdwe


# Calls newer than Debian 12's strace, which prints them by number.
UNNAMED = {"syscall_0x1c3": "cachestat"}
# Calls the server only probes, and does without when a filter refuses them.
OPTIONAL = {"cachestat": "page_cache_check=off: every chunk is taken as resident"}


def main():
    unit, trace = sys.argv[1], sys.argv[2]
    allowed, families, mdwe = unit_settings(unit)
    # "PID name(args" (finished or not), or "PID <... name resumed>rest": the arguments that
    # matter (family, protection) are on the first part.
    call = re.compile(r"^\d+\s+(<\.\.\. )?(\w+)(?:\(| resumed>)(.*)$")
    used, problems = {}, []
    for line in open(trace):
        m = call.match(line)
        if not m:
            continue  # signals, exits
        resumed, name, rest = m.group(1), m.group(2), m.group(3)
        if resumed:
            continue  # counted and checked where it started
        name = UNNAMED.get(name, name)
        used[name] = used.get(name, 0) + 1
        if name == "socket" and families is not None:
            family = rest.split(",")[0].strip()
            if family not in families:
                problems.append(f"socket family {family} is not in RestrictAddressFamilies: "
                                + line.strip())
        if mdwe and "PROT_EXEC" in rest and (
                name in ("mprotect", "pkey_mprotect")
                or (name == "mmap" and "PROT_WRITE" in rest)):
            problems.append("refused by MemoryDenyWriteExecute: " + line.strip())
    refused = sorted(set(used) - allowed)
    for name in refused:
        if name in OPTIONAL:
            print(f"  note: {name} is refused by SystemCallFilter; the server runs without it "
                  f"({OPTIONAL[name]})")
            continue
        problems.append(f"{name} ({used[name]} calls) is not allowed by SystemCallFilter")
    print(f"syscall filter: the server made {sum(used.values())} calls of {len(used)} kinds; "
          f"{len(allowed)} kinds are allowed")
    if not used:
        problems.append("the trace holds no system calls")
    for p in problems:
        print("  FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
