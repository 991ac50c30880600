"""FAILOVER (Redis 6.2+) on vigil-node: errors compared byte for byte with redis-server,
a coordinated hand-over to a replica (vigil or redis-server on either side, through
`PSYNC <replid> <offset> FAILOVER`), timeouts, ABORT and INFO's master_failover_state."""
import threading
import time

import pytest
import redis

from harness import wait_until


def r(proc):
    return redis.Redis(port=proc.port, socket_timeout=20)


def role(proc):
    return proc.info("replication")["role"]


def failover_state(proc):
    return proc.info("replication")["master_failover_state"]


def wait_link_up(replica, timeout=20):
    wait_until(lambda: replica.info("replication").get("master_link_status") == "up", timeout,
               message="replica link up")


def wait_acked(master, replica, timeout=20):
    def acked():
        info = master.info("replication")
        return "slave0" in info and "offset=%s," % info["master_repl_offset"] in info["slave0"]
    wait_until(acked, timeout, message="replica acknowledged the stream")


def test_failover_errors_match_redis(spawn):
    replies = {}
    for kind in ("redis", "vigil"):
        start = spawn.redis_server if kind == "redis" else spawn.vigil_node
        master = start()
        out = [master.call(*c.split()) for c in (
            "FAILOVER", "FAILOVER ABORT", "FAILOVER TO", "FAILOVER FOO", "FAILOVER TIMEOUT 0",
            "FAILOVER TIMEOUT -1", "FAILOVER TIMEOUT x", "FAILOVER TO h x", "FAILOVER ABORT TIMEOUT 5",
            "FAILOVER TIMEOUT 5 TIMEOUT 6", "FAILOVER FORCE FORCE", "FAILOVER TO 127.0.0.1 1")]
        replica = start(replicaof=["127.0.0.1", master.port])
        wait_link_up(replica)
        out += [master.call(*c.split()) for c in (
            "FAILOVER FORCE", "FAILOVER FORCE TIMEOUT 100", "FAILOVER TO 127.0.0.1 %d FORCE" % replica.port,
            "FAILOVER TO 127.0.0.1 1", "FAILOVER TO 10.9.9.9 %d" % replica.port)]
        out += [replica.call("FAILOVER"), replica.call("FAILOVER", "ABORT")]
        out += [replica.call("PSYNC", "0" * 40, "1", "FAILOVER")]
        replies[kind] = out
    assert replies["vigil"] == replies["redis"]


@pytest.mark.parametrize("pair", ["vigil-vigil", "vigil-redis", "redis-vigil"])
def test_failover_hands_the_role_to_the_replica(spawn, pair):
    kinds = pair.split("-")
    start = {"vigil": spawn.vigil_node, "redis": spawn.redis_server}
    master = start[kinds[0]]()
    replica = start[kinds[1]](replicaof=["127.0.0.1", master.port])
    wait_link_up(replica)
    r(master).set("k", "v")
    wait_acked(master, replica)
    assert r(master).execute_command("FAILOVER") == b"OK"
    wait_until(lambda: role(master) == "slave" and role(replica) == "master", 20,
               message="roles swapped")
    wait_until(lambda: failover_state(master) == "no-failover", 10)
    wait_link_up(master)
    assert r(master).get("k") == b"v"
    r(replica).set("after", "failover")
    wait_until(lambda: r(master).get("after") == b"failover", 10)
    # The old master continued the new master's history without a full sync.
    assert replica.info("stats")["sync_full"] == "0"


def test_failover_to_a_named_replica_with_timeout(spawn):
    master = spawn.vigil_node()
    a = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
    b = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
    wait_link_up(a)
    wait_link_up(b)
    wait_until(lambda: master.info("replication").get("slave1", "").count("state=online") == 1
               and "state=online" in master.info("replication")["slave0"], 10)
    r(master).set("k", "v")
    assert r(master).execute_command("FAILOVER", "TO", "127.0.0.1", b.port, "TIMEOUT", 5000) == b"OK"
    wait_until(lambda: role(b) == "master" and role(master) == "slave", 20)
    assert master.info("replication")["master_port"] == str(b.port)
    assert role(a) == "slave"


def test_timeout_without_force_aborts_and_writes_resume(spawn):
    master = spawn.vigil_node()
    replica = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
    wait_link_up(replica)
    replica.sigstop()  # never acknowledges
    try:
        r(master).set("k", "v")
        assert r(master).execute_command("FAILOVER", "TIMEOUT", 500) == b"OK"
        assert failover_state(master) == "waiting-for-sync"
        # Writes wait (paused) until the failover ends; reads are served.
        done = {}
        writer = threading.Thread(target=lambda: done.setdefault("t", (r(master).set("w", 1), time.monotonic())))
        t0 = time.monotonic()
        writer.start()
        assert r(master).get("k") == b"v"
        writer.join(10)
        assert done["t"][1] - t0 >= 0.3
        assert failover_state(master) == "no-failover" and role(master) == "master"
        assert "Replica never caught up before timeout" in master.log_text()
    finally:
        replica.sigcont()


def test_abort_ends_a_waiting_failover(spawn):
    master = spawn.vigil_node()
    replica = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
    wait_link_up(replica)
    replica.sigstop()
    try:
        r(master).set("k", "v")
        assert r(master).execute_command("FAILOVER") == b"OK"
        assert master.call("FAILOVER") == b"-ERR FAILOVER already in progress.\r\n"
        assert master.call("REPLICAOF", "NO", "ONE") == b"-ERR REPLICAOF not allowed while failing over.\r\n"
        assert r(master).execute_command("FAILOVER", "ABORT") == b"OK"
        assert failover_state(master) == "no-failover" and role(master) == "master"
        assert r(master).set("after", "abort")
    finally:
        replica.sigcont()
