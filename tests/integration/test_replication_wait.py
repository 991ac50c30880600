"""vigil-node replication guarantees clients see: WAIT, min-replicas-to-write, read-only
replicas and replica-serve-stale-data, compared with redis-server where it matters."""
import time

import pytest
import redis

from harness import wait_until


def r(proc, db=0):
    return redis.Redis(port=proc.port, db=db, socket_timeout=20)


def wait_link_up(replica, timeout=20):
    wait_until(lambda: replica.info("replication").get("master_link_status") == "up", timeout,
               message="replica link up")


def test_wait_counts_replicas_that_acknowledged_the_clients_writes(spawn):
    master = spawn.vigil_node()
    a = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
    b = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
    wait_link_up(a)
    wait_link_up(b)
    c = r(master)
    c.set("k", "v")
    assert c.execute_command("WAIT", 2, 5000) == 2
    # More replicas than exist: the timeout decides, the answer is the count that acked.
    c.set("k", "w")
    t0 = time.monotonic()
    assert c.execute_command("WAIT", 3, 300) == 2
    assert time.monotonic() - t0 >= 0.25

    b.sigstop()
    try:
        c.set("k", "x")
        t0 = time.monotonic()
        assert c.execute_command("WAIT", 2, 500) == 1
        assert time.monotonic() - t0 >= 0.45
    finally:
        b.sigcont()
    assert c.execute_command("WAIT", 2, 5000) == 2  # b catches up and acknowledges
    assert r(a).get("k") == b"x" and r(b).get("k") == b"x"

    # Inside MULTI it answers at once.
    pipe = c.pipeline(transaction=True)
    pipe.set("k", "y")
    pipe.execute_command("WAIT", 5, 0)
    assert pipe.execute()[1] <= 2


def test_wait_errors_match_redis(spawn):
    for start in (spawn.redis_server, spawn.vigil_node):
        master = start()
        replica = start(replicaof=["127.0.0.1", master.port])
        for args in (("WAIT", "x", "1"), ("WAIT", "1", "x"), ("WAIT", "1", "-1")):
            assert master.call(*args).startswith(b"-ERR"), args
        assert master.call("WAIT", "x", "1") == b"-ERR value is not an integer or out of range\r\n"
        assert master.call("WAIT", "1", "x") == b"-ERR timeout is not an integer or out of range\r\n"
        assert master.call("WAIT", "1", "-1") == b"-ERR timeout is negative\r\n"
        assert replica.call("WAIT", "0", "0").startswith(b"-ERR WAIT cannot be used with replica instances.")


def test_min_replicas_to_write(spawn):
    master = spawn.vigil_node(min_replicas_to_write=1, min_replicas_max_lag=10)
    c = r(master)
    with pytest.raises(redis.exceptions.ResponseError, match="NOREPLICAS Not enough good replicas to write."):
        c.set("k", "v")
    assert c.get("k") is None  # reads are fine
    # Inside MULTI the write is refused when queued, so EXEC aborts.
    raw = master.client()
    assert raw.call("MULTI") == b"+OK\r\n"
    assert raw.call("SET", "k", "v").startswith(b"-NOREPLICAS")
    assert raw.call("EXEC").startswith(b"-EXECABORT")

    replica = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
    wait_link_up(replica)
    wait_until(lambda: master.info("replication").get("min_slaves_good_slaves") == "1", 10)
    assert c.set("k", "v")
    # A replica that stops acknowledging for longer than the lag is not good any more.
    c.config_set("min-replicas-max-lag", 1)
    replica.sigstop()
    try:
        wait_until(lambda: master.call("SET", "k", "w").startswith(b"-NOREPLICAS"), 10)
    finally:
        replica.sigcont()
    wait_until(lambda: master.call("SET", "k", "z") == b"+OK\r\n", 10)


def test_read_only_replica_and_stale_data(spawn):
    master = spawn.vigil_node()
    replica = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
    wait_link_up(replica)
    assert replica.call("SET", "k", "v") == b"-READONLY You can't write against a read only replica.\r\n"
    assert replica.call("GET", "k") == b"$-1\r\n"
    # Writable replica: local writes only.
    r(replica).config_set("replica-read-only", "no")
    assert replica.call("SET", "local", "1") == b"+OK\r\n"
    assert r(master).get("local") is None
    r(replica).config_set("replica-read-only", "yes")

    r(replica).config_set("replica-serve-stale-data", "no")
    master.kill9()
    wait_until(lambda: replica.info("replication")["master_link_status"] == "down", 10)
    masterdown = b"-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n"
    assert replica.call("GET", "k") == masterdown
    assert replica.call("PING") == masterdown
    assert replica.call("INFO", "replication").startswith(b"$")  # stale-flagged commands still work
    assert int(replica.info("replication")["master_link_down_since_seconds"]) >= 0
    r(replica).config_set("replica-serve-stale-data", "yes")
    assert replica.call("GET", "k") == b"$-1\r\n"
