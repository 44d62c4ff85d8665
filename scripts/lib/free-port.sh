# shellcheck shell=bash
# Sourced by the check scripts (from the repository root): free_port prints a TCP port on
# 127.0.0.1 that nothing listens on now, as the kernel picks one.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
