"""Real Sentinel-aware clients against vigil-sentinel: redis-py's redis.sentinel.Sentinel
(Debian's python3-redis) and ioredis (npm, tests/clients/node_modules) keep writing across a
kill -9 of the master and end up on the promoted replica without any change on their side."""
import json
import os
import shutil
import subprocess
import threading
import time

import pytest

from harness import wait_until

redis = pytest.importorskip("redis")
from redis.sentinel import Sentinel  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def conf(master_port):
    return ("sentinel monitor mymaster 127.0.0.1 %d 2\n"
            "sentinel down-after-milliseconds mymaster 1000\n"
            "sentinel failover-timeout mymaster 10000\n" % master_port)


def sentinel_addr(s):
    reply = s.execute("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
    return int(reply[1])


@pytest.fixture
def stack(spawn):
    master = spawn.redis_server()
    replicas = [spawn.redis_server(replicaof=["127.0.0.1", master.port]) for _ in range(2)]
    sentinels = [spawn.vigil_sentinel(conf(master.port)) for _ in range(3)]

    def converged():
        for s in sentinels:
            raw = s.execute("SENTINEL", "MASTER", "mymaster")
            f = dict(zip(raw[0::2], raw[1::2]))
            if int(f[b"num-slaves"]) != 2 or int(f[b"num-other-sentinels"]) != 2:
                return False
        return True
    wait_until(converged, 30, message="sentinels to converge")
    return master, replicas, sentinels


@pytest.mark.timeout(90)
def test_redis_py_sentinel_follows_failover(stack):
    master, replicas, sentinels = stack
    client = Sentinel([("127.0.0.1", s.port) for s in sentinels], socket_timeout=1.0)
    assert client.discover_master("mymaster") == ("127.0.0.1", master.port)
    assert sorted(p for _, p in client.discover_slaves("mymaster")) == sorted(r.port for r in replicas)
    writer = client.master_for("mymaster", socket_timeout=1.0)
    writer.set("before", "1")

    acked_after_kill = []
    stop = threading.Event()

    def keep_writing():
        i = 0
        while not stop.is_set():
            i += 1
            try:
                writer.set("k%d" % i, i)
                if killed.is_set():
                    acked_after_kill.append(i)
            except (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError):
                time.sleep(0.05)
            time.sleep(0.01)

    killed = threading.Event()
    t = threading.Thread(target=keep_writing, daemon=True)
    t.start()
    try:
        time.sleep(0.3)
        master.kill9()
        killed.set()
        wait_until(lambda: len(acked_after_kill) >= 20, 40,
                   message="redis-py writes to resume after the failover")
    finally:
        stop.set()
        t.join(5)
    new_addr = client.discover_master("mymaster")
    assert new_addr[1] in [r.port for r in replicas]
    promoted = next(r for r in replicas if r.port == new_addr[1])
    last = acked_after_kill[-1]
    # The acknowledged write really is on the promoted replica.
    assert promoted.execute("GET", "k%d" % last) == str(last).encode()


@pytest.mark.timeout(90)
def test_ioredis_follows_failover(stack):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "ioredis")):
        pytest.skip("ioredis is not installed (cd tests/clients && npm install)")
    master, replicas, sentinels = stack
    proc = subprocess.Popen([node, os.path.join(HERE, "sentinel_writer.js"),
                             ",".join(str(s.port) for s in sentinels), "mymaster", "20000"],
                            cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        first = json.loads(proc.stdout.readline())
        assert first.get("ready") and first["port"] == master.port, first
        master.kill9()
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    summary = json.loads(out.decode().strip().splitlines()[-1])
    new_port = sentinel_addr(sentinels[0])
    assert new_port in [r.port for r in replicas]
    assert summary["lastPort"] == new_port, summary
    assert summary["ports"][0] == master.port
    assert summary["acked"] > 100, summary
