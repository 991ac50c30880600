"""Free TCP ports that stay free while a test uses them, even when several test runs
share the machine.

Why not just bind port 0: the kernel hands out ports from the ephemeral range
(ip_local_port_range, 32768-60999 on Debian), the same range it uses for the source port
of every outgoing connection, so a port that was free a moment ago can be taken by a
client socket before the server under test binds it. We therefore pick ports below the
ephemeral range, check that they can be bound, and hold an fcntl lock on
/tmp/vigil-test-ports/<port>.lock for as long as the lease lives. Every harness user on
the machine goes through the same lock files, so two runs can never be handed the same
port; the kernel drops the lock when the owning process dies, so nothing leaks.
"""
import fcntl
import os
import random
import socket

LOCK_DIR = "/tmp/vigil-test-ports"
# Well-known Redis / Sentinel ports that developers run by hand: never hand them out.
RESERVED_PORTS = frozenset({6379, 6380, 6381, 26379, 26380, 26381})
PORT_RANGE = (20000, 32000)  # below the kernel's ephemeral range

_held = {}  # port -> open lock file (keeping it open keeps the lock)


def _bindable(port):
    """True when a listening socket could bind 127.0.0.1:port right now (as servers do,
    with SO_REUSEADDR so that TIME_WAIT leftovers don't count as busy)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port():
    """Return a port nobody else (in this run or another harness user) will get until
    release_port(port) is called or this process exits."""
    os.makedirs(LOCK_DIR, exist_ok=True)
    rng = random.Random()  # fresh entropy: parallel runs must not follow the same sequence
    for _ in range(2000):
        port = rng.randrange(*PORT_RANGE)
        if port in RESERVED_PORTS or port in _held:
            continue
        lock = open(os.path.join(LOCK_DIR, f"{port}.lock"), "a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        if not _bindable(port):
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()
            continue
        _held[port] = lock
        return port
    raise RuntimeError("no free TCP port found in %d-%d" % PORT_RANGE)


def release_port(port):
    """Give a port back (optional: the lock also goes away when the process exits)."""
    lock = _held.pop(port, None)
    if lock is not None:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
