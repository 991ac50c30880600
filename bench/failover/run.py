#!/usr/bin/python3
"""Failover benchmark: Redis's stack (redis-sentinel) vs vigil's (vigil-sentinel), same
data nodes (Debian's redis-server: master + 2 replicas), 3 sentinels, down-after 1000 ms.

Scenario 1 (kill -9): a sentinel-aware client (redis-py's redis.sentinel.Sentinel) writes
continuously; the master is killed with SIGKILL. Measured per trial:
  * kill -> first +switch-master published by any sentinel;
  * kill -> first write acknowledged by the new master through the client.
Scenario 2 (SENTINEL FAILOVER under write load): the client writes unique keys, a manual
failover is requested, and afterwards every acknowledged key is looked up on the new
master: acknowledged writes that are missing were lost. (With Redis, clients keep writing
to the old master until it is converted into a replica, which then resyncs and drops them.)

Prints per-trial figures, medians, and the vigil/redis ratios (lower is better for vigil).
Usage: bench/failover/run.py [--trials 5] [--down-after 1000] [--skip-manual]
Binaries: vigil-sentinel from $VIGIL_BUILD_DIR (default build/), Redis's from PATH.
"""
import argparse
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import harness  # noqa: E402
from harness import encode_command, parse_reply, Incomplete, wait_until  # noqa: E402
from redis.sentinel import Sentinel  # noqa: E402
import redis  # noqa: E402


# The failover's milestones, in order, as published by the sentinels.
MILESTONES = ("+sdown", "+odown", "+elected-leader", "+selected-slave", "+promoted-slave",
              "+switch-master")


class EventWatcher:
    """SUBSCRIBE to the milestones on every sentinel; remembers each one's first arrival
    (master events only for +sdown/+odown: a replica's +sdown is not the failure)."""

    def __init__(self, ports):
        self.first_seen = {}
        self.lock = threading.Lock()
        self.stop = False
        self.lock = threading.Lock()
        self.stop = False
        self.threads = [threading.Thread(target=self._watch, args=(p,), daemon=True) for p in ports]
        self.ready = threading.Barrier(len(ports) + 1)
        for t in self.threads:
            t.start()
        self.ready.wait(10)

    def _watch(self, port):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(encode_command("SUBSCRIBE", *MILESTONES))
        buf = b""
        confirmed = 0
        s.settimeout(0.2)
        try:
            while not self.stop:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    continue
                if not chunk:
                    return
                buf += chunk
                while True:
                    try:
                        reply, end = parse_reply(buf)
                    except Incomplete:
                        break
                    buf = buf[end:]
                    msg = reply.to_python()
                    if msg[0] == b"subscribe":
                        confirmed += 1
                        if confirmed == len(MILESTONES):
                            self.ready.wait(10)
                        continue
                    if msg[0] != b"message":
                        continue
                    channel = msg[1].decode()
                    if channel in ("+sdown", "+odown") and not msg[2].startswith(b"master "):
                        continue
                    with self.lock:
                        self.first_seen.setdefault(channel, time.monotonic())
        finally:
            s.close()

    @property
    def first(self):
        return self.first_seen.get("+switch-master")

    def close(self):
        self.stop = True
        for t in self.threads:
            t.join(2)


class Writer:
    """Writes unique keys through the sentinel-aware client, recording acknowledgements."""

    def __init__(self, sentinel_ports):
        self.sentinel = Sentinel([("127.0.0.1", p) for p in sentinel_ports], socket_timeout=0.5)
        self.client = self.sentinel.master_for("mymaster", socket_timeout=0.5,
                                               socket_connect_timeout=0.5)
        self.acks = []     # (monotonic time, key index)
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        i = 0
        while not self.stop:
            i += 1
            try:
                self.client.set("bench:%d" % i, i)
                self.acks.append((time.monotonic(), i))
            except (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError,
                    redis.ResponseError):
                time.sleep(0.005)

    def first_ack_after(self, t0):
        for t, _ in self.acks:
            if t > t0:
                return t
        return None

    def close(self):
        self.stop = True
        self.thread.join(5)


class Stack:
    def __init__(self, kind, down_after, workdir):
        self.procs = []
        self.master = self._track(harness.start_redis_server(workdir=os.path.join(workdir, "m")))
        self.replicas = [self._track(harness.start_redis_server(
            workdir=os.path.join(workdir, "r%d" % i), replicaof=["127.0.0.1", self.master.port]))
            for i in range(2)]
        conf = ("sentinel monitor mymaster 127.0.0.1 %d 2\n"
                "sentinel down-after-milliseconds mymaster %d\n"
                "sentinel failover-timeout mymaster 10000\n" % (self.master.port, down_after))
        start = harness.start_vigil_sentinel if kind == "vigil" else harness.start_redis_sentinel
        self.sentinels = [self._track(start(conf_text=conf, workdir=os.path.join(workdir, "s%d" % i)))
                          for i in range(3)]
        wait_until(self._converged, 30, message="sentinels to converge")

    def _track(self, p):
        self.procs.append(p)
        return p

    def _converged(self):
        for s in self.sentinels:
            raw = s.execute("SENTINEL", "MASTER", "mymaster")
            f = dict(zip(raw[0::2], raw[1::2]))
            if int(f[b"num-slaves"]) != 2 or int(f[b"num-other-sentinels"]) != 2:
                return False
        return True

    def current_master_port(self):
        reply = self.sentinels[0].execute("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
        return int(reply[1])

    def node(self, port):
        return next(n for n in [self.master] + self.replicas if n.port == port)

    def close(self):
        for p in reversed(self.procs):
            try:
                p.stop(5)
            except Exception:
                p.kill9()


def trial_kill9(kind, down_after):
    workdir = tempfile.mkdtemp(prefix="vigil-bench-%s-" % kind)
    stack = watcher = writer = None
    try:
        stack = Stack(kind, down_after, workdir)
        watcher = EventWatcher([s.port for s in stack.sentinels])
        writer = Writer([s.port for s in stack.sentinels])
        wait_until(lambda: len(writer.acks) > 50, 10, message="writes to flow")
        t0 = time.monotonic()
        stack.master.kill9()
        # kill9() returns once the process is gone: any acknowledgement after this moment
        # came from the new master.
        dead = time.monotonic()
        wait_until(lambda: watcher.first is not None and writer.first_ack_after(dead), 60,
                   message="failover and a write on the new master")
        milestones = {k: v - t0 for k, v in watcher.first_seen.items()}
        return watcher.first - t0, writer.first_ack_after(dead) - t0, milestones
    finally:
        for x in (writer, watcher, stack):
            if x is not None:
                x.close()
        shutil.rmtree(workdir, ignore_errors=True)


def trial_manual(kind, down_after):
    workdir = tempfile.mkdtemp(prefix="vigil-bench-%s-" % kind)
    stack = writer = None
    try:
        stack = Stack(kind, down_after, workdir)
        old = stack.master.port
        writer = Writer([s.port for s in stack.sentinels])
        wait_until(lambda: len(writer.acks) > 200, 10, message="writes to flow")
        assert stack.sentinels[0].call("SENTINEL", "FAILOVER", "mymaster") == b"+OK\r\n"
        wait_until(lambda: stack.current_master_port() != old, 30, message="manual failover")
        new_master = stack.node(stack.current_master_port())
        wait_until(lambda: len(writer.acks) and writer.acks[-1][0] > time.monotonic() - 0.2
                   and writer.client.connection_pool.get_master_address()[1] == new_master.port, 30,
                   message="writes to flow to the new master")
        time.sleep(0.5)
        writer.close()
        acked = [i for _, i in writer.acks]
        c = redis.Redis(port=new_master.port)
        lost = 0
        for start in range(0, len(acked), 1000):
            chunk = acked[start:start + 1000]
            values = c.mget(["bench:%d" % i for i in chunk])
            lost += sum(1 for v in values if v is None)
        return len(acked), lost
    finally:
        if writer is not None:
            writer.close()
        if stack is not None:
            stack.close()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--down-after", type=int, default=1000)
    ap.add_argument("--skip-manual", action="store_true", help="only the kill -9 scenario")
    args = ap.parse_args()
    harness.require_binary = lambda p, n: p   # fail loudly below instead of pytest.skip
    if harness.vigil_binary("vigil-sentinel") is None:
        sys.exit("vigil-sentinel not found in %s (set VIGIL_BUILD_DIR)" % harness.build_dir())

    results, timelines = {}, {}
    for kind in ("redis", "vigil"):
        switch, ack, seen = [], [], {}
        for n in range(args.trials):
            s, a, milestones = trial_kill9(kind, args.down_after)
            switch.append(s)
            ack.append(a)
            for k, v in milestones.items():
                seen.setdefault(k, []).append(v)
            print("%-5s kill-9 trial %d: kill->+switch-master %.3fs, kill->first acked write %.3fs"
                  % (kind, n + 1, s, a), flush=True)
        results[kind] = (statistics.median(switch), statistics.median(ack))
        timelines[kind] = {k: statistics.median(v) for k, v in seen.items()}
    print()
    print("kill -9 timeline, first time each event was published by any sentinel (medians, ms):")
    print("  %-18s %8s %8s" % ("event", "redis", "vigil"))
    for event in MILESTONES:
        cells = ["%8.0f" % (timelines[k][event] * 1000) if event in timelines[k] else "%8s" % "-"
                 for k in ("redis", "vigil")]
        print("  %-18s %s %s" % (event, *cells))
    print()
    print("kill -9, down-after %d ms, %d trials (medians):" % (args.down_after, args.trials))
    for kind in ("redis", "vigil"):
        print("  %-5s kill->+switch-master %.3fs   kill->first acked write %.3fs"
              % (kind, *results[kind]))
    print("  ratio vigil/redis: switch %.2f, first acked write %.2f"
          % (results["vigil"][0] / results["redis"][0], results["vigil"][1] / results["redis"][1]))

    if args.skip_manual:
        return
    print()
    print("SENTINEL FAILOVER under write load (acknowledged writes lost):")
    for kind in ("redis", "vigil"):
        losses = []
        for n in range(args.trials):
            acked, lost = trial_manual(kind, args.down_after)
            losses.append(lost)
            print("  %-5s trial %d: %d acknowledged, %d lost" % (kind, n + 1, acked, lost), flush=True)
        print("  %-5s median lost: %s" % (kind, statistics.median(losses)))


if __name__ == "__main__":
    main()
