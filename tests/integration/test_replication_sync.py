"""vigil-node replication: full sync, partial resync, backlog overflow, chained replicas,
INFO replication / ROLE shapes compared with redis-server. Real processes on loopback."""
import random

import pytest
import redis

from harness import wait_until


def r(proc, db=0):
    return redis.Redis(port=proc.port, db=db, socket_timeout=20)


def replica_of(spawn, master, **directives):
    return spawn.vigil_node(replicaof=["127.0.0.1", master.port], **directives)


def wait_link_up(replica, timeout=20):
    wait_until(lambda: replica.info("replication").get("master_link_status") == "up", timeout,
               message="replica link up")


def wait_in_sync(master, *replicas, timeout=20):
    """Every replica applied everything the master produced so far."""
    def synced():
        target = int(master.info("replication")["master_repl_offset"])
        return all(int(x.info("replication").get("slave_repl_offset", -1)) == target
                   and x.info("replication").get("master_link_status") == "up" for x in replicas)
    wait_until(synced, timeout, message="replicas in sync with the master")


def stats(proc):
    s = proc.info("stats")
    return int(s["sync_full"]), int(s["sync_partial_ok"]), int(s["sync_partial_err"])


def populate_every_type(client, n, seed=7):
    """n keys spread over strings (some with TTL), lists, hashes, sets and sorted sets,
    small (listpack/intset) and large encodings."""
    rnd = random.Random(seed)
    pipe = client.pipeline(transaction=False)
    for i in range(n):
        kind = i % 6
        key = "k:%d" % i
        if kind == 0:
            pipe.set(key, "v%d" % i * rnd.randint(1, 4))
        elif kind == 1:
            pipe.set(key, i, px=3_600_000)  # integer encoding + TTL
        elif kind == 2:
            pipe.rpush(key, *["e%d" % j for j in range(rnd.randint(1, 5))])
        elif kind == 3:
            pipe.hset(key, mapping={"f%d" % j: "x" * j for j in range(rnd.randint(1, 6))})
        elif kind == 4:
            if i % 12 == 4:
                pipe.sadd(key, *range(rnd.randint(1, 6)))  # intset
            else:
                pipe.sadd(key, *["m%d" % j for j in range(rnd.randint(1, 6))])
        else:
            pipe.zadd(key, {"z%d" % j: j * 1.5 for j in range(rnd.randint(1, 6))})
        if i % 1000 == 999:
            pipe.execute()
    # A few big ones in hashtable / skiplist / quicklist encodings.
    pipe.rpush("big:list", *range(3000))
    pipe.hset("big:hash", mapping={"f%d" % j: j for j in range(1000)})
    pipe.sadd("big:set", *["s%d" % j for j in range(1000)])
    pipe.zadd("big:zset", {"m%d" % j: j for j in range(1000)})
    pipe.execute()


def snapshot(client):
    """Every key with its type, value and whether it has a TTL."""
    keys = sorted(client.scan_iter(count=5000))
    out = {}
    for start in range(0, len(keys), 1000):
        chunk = keys[start:start + 1000]
        pipe = client.pipeline(transaction=False)
        for k in chunk:
            pipe.type(k)
        types = pipe.execute()
        pipe = client.pipeline(transaction=False)
        for k, t in zip(chunk, types):
            if t == b"string":
                pipe.get(k)
            elif t == b"list":
                pipe.lrange(k, 0, -1)
            elif t == b"hash":
                pipe.hgetall(k)
            elif t == b"set":
                pipe.smembers(k)
            elif t == b"zset":
                pipe.zrange(k, 0, -1, withscores=True)
            pipe.pttl(k)
        values = pipe.execute()
        for i, (k, t) in enumerate(zip(chunk, types)):
            out[k] = (t, values[2 * i], values[2 * i + 1] > 0)
    return out


@pytest.mark.timeout(240)
def test_full_sync_of_100k_keys_of_every_type(spawn):
    master = spawn.vigil_node()
    populate_every_type(r(master), 100_000)
    r(master, 3).set("in-db-3", "yes")
    replica = replica_of(spawn, master)
    wait_link_up(replica, timeout=60)
    # Writes after the sync arrive through the stream.
    r(master).set("after-sync", "1")
    r(master, 5).lpush("after-sync-list", "a", "b")
    wait_in_sync(master, replica)
    for db in (0, 3, 5):
        assert snapshot(r(replica, db)) == snapshot(r(master, db)), "db %d differs" % db
    assert r(replica).dbsize() == 100_004 + 1
    full, ok, err = stats(master)
    assert (full, ok) == (1, 0)


def test_partial_resync_after_dropped_link(spawn):
    master = spawn.vigil_node()
    replica = replica_of(spawn, master)
    wait_link_up(replica)
    r(master).set("a", "1")
    wait_in_sync(master, replica)
    base = stats(master)

    # Dropped from the replica side, writes in between come from the backlog.
    r(replica).execute_command("CLIENT", "KILL", "TYPE", "master")
    r(master).set("b", "2")
    wait_in_sync(master, replica)
    assert r(replica).get("b") == b"2"
    # Dropped from the master side.
    r(master).execute_command("CLIENT", "KILL", "TYPE", "slave")
    r(master).incr("c")
    wait_in_sync(master, replica)
    assert r(replica).get("c") == b"1"

    full, ok, err = stats(master)
    assert full == base[0], "no new full sync"
    assert ok >= base[1] + 2
    assert err == base[2]


def test_backlog_overflow_falls_back_to_full_sync(spawn):
    master = spawn.vigil_node(repl_backlog_size="16kb")
    replica = replica_of(spawn, master)
    wait_link_up(replica)
    r(master).set("a", "1")
    wait_in_sync(master, replica)
    base = stats(master)

    replica.sigstop()
    try:
        r(master).execute_command("CLIENT", "KILL", "TYPE", "slave")
        pipe = r(master).pipeline(transaction=False)
        for i in range(100):
            pipe.set("big:%d" % i, "x" * 1024)  # ~100 KB of stream > 16 KB backlog
        pipe.execute()
    finally:
        replica.sigcont()
    wait_in_sync(master, replica)
    assert r(replica).get("big:99") == b"x" * 1024
    full, ok, err = stats(master)
    assert full == base[0] + 1
    assert err == base[2] + 1
    assert ok == base[1]


def test_chained_replication(spawn):
    master = spawn.vigil_node()
    middle = replica_of(spawn, master)
    leaf = replica_of(spawn, middle)
    wait_link_up(middle)
    wait_link_up(leaf)
    r(master).set("x", "1")
    r(master, 2).sadd("s", "a", "b")
    r(master).expire("x", 1000)
    wait_in_sync(master, middle)
    wait_in_sync(master, leaf)
    assert r(leaf).get("x") == b"1"
    assert r(leaf, 2).smembers("s") == {b"a", b"b"}
    assert r(leaf).ttl("x") > 900
    # Same history all along the chain.
    ids = {p.info("replication")["master_replid"] for p in (master, middle, leaf)}
    assert len(ids) == 1
    assert leaf.info("replication")["master_port"] == str(middle.port)
    assert middle.info("replication")["connected_slaves"] == "1"
    # The leaf survives a drop of the middle link with a partial resync from the middle.
    r(leaf).execute_command("CLIENT", "KILL", "TYPE", "master")
    r(master).set("y", "2")
    wait_in_sync(master, middle, leaf)
    assert r(leaf).get("y") == b"2"
    assert stats(middle)[1] >= 1


def _info_fields(proc):
    raw = proc.execute("INFO", "replication").decode()
    return [line.split(":", 1)[0] for line in raw.splitlines() if line and not line.startswith("#")]


def test_info_replication_and_role_match_redis(spawn):
    shapes = {}
    for kind in ("redis", "vigil"):
        start = spawn.redis_server if kind == "redis" else spawn.vigil_node
        extra = {"repl_diskless_sync_delay": 0} if kind == "redis" else {}
        master = start(**extra)
        replica = start(replicaof=["127.0.0.1", master.port])
        wait_link_up(replica)
        r(master).set("k", "v")
        wait_in_sync(master, replica)
        wait_until(lambda: "slave0" in master.info("replication"), 10)
        role_m = r(master).execute_command("ROLE")
        role_r = r(replica).execute_command("ROLE")
        shapes[kind] = (_info_fields(master), _info_fields(replica),
                        [type(x).__name__ for x in role_m], [type(x).__name__ for x in role_r],
                        role_r[3], replica.info("replication")["master_link_status"])
        slave0 = master.info("replication")["slave0"]
        assert [kv.split("=")[0] for kv in slave0.split(",")] == ["ip", "port", "state", "offset", "lag"]
        assert "state=online" in slave0 and "port=%d" % replica.port in slave0
    assert shapes["vigil"] == shapes["redis"]


def test_masterauth_and_plain_sync(spawn):
    master = spawn.vigil_node(requirepass="s3cret")
    r_master = redis.Redis(port=master.port, password="s3cret", socket_timeout=20)
    r_master.set("k", "v")
    wrong = spawn.vigil_node(replicaof=["127.0.0.1", master.port], masterauth="nope")
    right = spawn.vigil_node(replicaof=["127.0.0.1", master.port], masterauth="s3cret")
    wait_link_up(right)
    assert r(right).get("k") == b"v"
    assert wrong.info("replication")["master_link_status"] == "down"
    # Old-style SYNC: the RDB bulk straight away, then the stream.
    c = master.client()
    c.call("AUTH", "s3cret")
    c.send(b"SYNC\r\n")
    head = b""
    while len(head) < 20:
        chunk = c.sock.recv(64)
        assert chunk, "connection closed"
        head += chunk
    assert head.startswith(b"$") and b"REDIS0010" in head, head  # no +FULLRESYNC line


@pytest.mark.parametrize("topology", ["redis-master", "redis-replica", "redis-replica-disk"])
def test_interop_with_redis_server(spawn, topology):
    if topology == "redis-master":
        master = spawn.redis_server(repl_diskless_sync_delay=0)
        replica = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
    else:
        master = spawn.vigil_node(repl_diskless_sync=topology == "redis-replica")
        replica = spawn.redis_server(replicaof=["127.0.0.1", master.port])
    populate_every_type(r(master), 3000)
    wait_link_up(replica)
    r(master).incrbyfloat("f", 1.5)
    r(master, 9).set("k", "v", ex=100)
    r(master).execute_command("WAIT", 1, 5000)
    wait_in_sync(master, replica)
    for db in (0, 9):
        assert snapshot(r(replica, db)) == snapshot(r(master, db))
    # Partial resync across implementations too.
    r(replica).execute_command("CLIENT", "KILL", "TYPE", "master")
    r(master).set("after", "drop")
    wait_in_sync(master, replica)
    assert r(replica).get("after") == b"drop"
    assert stats(master)[1] >= 1
