"""RDB compatibility with Debian's Redis 7.0 in both directions: a dump that
vigil-node SAVEs passes redis-check-rdb and loads into redis-server with every
key of every type (and encoding size class) identical, and a dump redis-server
SAVEs loads into vigil-node identically. Also: a Redis 7.0 AOF directory
(RDB base + increment) loads into vigil-node."""
import os
import shutil
import subprocess

import harness


def populate(client):
    """Every type, small (listpack/intset) and large (hashtable/skiplist/multi-node
    quicklist) encodings, integer and LZF-compressible strings, TTLs, two dbs."""
    c = client
    c.execute("SET", "s:int", "12345")
    c.execute("SET", "s:neg", "-2147483648")
    c.execute("SET", "s:bigint", "123456789012345678")
    c.execute("SET", "s:lzf", "abc" * 1000)
    c.execute("SET", "s:bin", b"\x00\x01\xff\r\n")
    c.execute("SET", "s:empty", "")
    c.execute("SET", "s:ttl", "v", "PX", "500000000")
    c.execute("RPUSH", "l:small", "a", "1", "-5", "hello world")
    for i in range(0, 3000, 500):
        c.execute("RPUSH", "l:big", *["element-%d-%s" % (j, "x" * (j % 40)) for j in range(i, i + 500)])
    c.execute("HSET", "h:small", "f1", "v1", "f2", "12")
    c.execute("HSET", "h:big", *[x for i in range(600) for x in ("field%d" % i, str(i * 3))])
    c.execute("HSET", "h:longval", "f", "v" * 100)
    c.execute("SADD", "set:ints", *[str(i) for i in range(-100, 1000, 7)])
    c.execute("SADD", "set:strs", *["m%d" % i for i in range(600)])
    c.execute("ZADD", "z:small", "1.5", "a", "-2", "b", "0.1", "c", "inf", "d")
    c.execute("ZADD", "z:big", *[x for i in range(300) for x in (str(i / 4 - 10), "member%d" % i)])
    c.execute("SELECT", "7")
    c.execute("SET", "in-db-7", "seven")
    c.execute("SELECT", "0")


def snapshot(proc):
    """Every key of every db as comparable Python values."""
    c = proc.client()
    out = {}
    for db in range(16):
        c.execute("SELECT", str(db))
        cursor = b"0"
        keys = []
        while True:
            cursor, batch = c.execute("SCAN", cursor, "COUNT", "1000")
            keys.extend(batch)
            if cursor == b"0":
                break
        for k in keys:
            t = c.execute("TYPE", k)
            has_ttl = c.execute("PTTL", k) >= 0
            if t == b"string":
                v = c.execute("GET", k)
            elif t == b"list":
                v = c.execute("LRANGE", k, "0", "-1")
            elif t == b"set":
                v = sorted(c.execute("SMEMBERS", k))
            elif t == b"hash":
                flat = c.execute("HGETALL", k)
                v = sorted(zip(flat[::2], flat[1::2]))
            elif t == b"zset":
                v = c.execute("ZRANGE", k, "0", "-1", "WITHSCORES")
            else:
                v = ("unexpected type", t)
            out[(db, k)] = (t, has_ttl, v)
    return out


def check_rdb(path):
    r = subprocess.run(["redis-check-rdb", path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "RDB looks OK" in r.stdout, r.stdout + r.stderr


def test_vigil_rdb_loads_into_redis(spawn, tmp_path):
    node = spawn.vigil_node()
    populate(node.client())
    assert node.execute("SAVE") == b"OK"
    expected = snapshot(node)
    assert len(expected) == 17
    src = os.path.join(node.workdir, "dump.rdb")
    check_rdb(src)
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    shutil.copy(src, redis_dir / "dump.rdb")
    redis = harness.start_redis_server(None, str(redis_dir), start=False)
    spawn.processes.append(redis)  # stopped by PID with the test's other processes
    redis.start()
    assert "Done loading RDB, keys loaded: 17" in redis.log_text()
    assert snapshot(redis) == expected


def test_redis_rdb_loads_into_vigil(spawn):
    redis = spawn.redis_server()
    populate(redis.client())
    assert redis.execute("SAVE") == b"OK"
    expected = snapshot(redis)
    node = spawn.vigil_node()
    node.kill9()
    shutil.copy(os.path.join(redis.workdir, "dump.rdb"), os.path.join(node.workdir, "dump.rdb"))
    node.start()
    assert snapshot(node) == expected


def test_redis_aof_directory_loads_into_vigil(spawn):
    redis = spawn.redis_server(appendonly=True)
    c = redis.client()
    c.execute("SET", "before", "rewrite")
    assert c.execute("BGREWRITEAOF").startswith(b"Background append only file rewriting")
    harness.wait_until(lambda: redis.info("persistence")["aof_rewrite_in_progress"] == "0", 20)
    populate(c)  # lands in the increment file, as commands
    expected = snapshot(redis)
    node = spawn.vigil_node(appendonly=True)
    node.kill9()
    shutil.rmtree(os.path.join(node.workdir, "appendonlydir"))
    shutil.copytree(os.path.join(redis.workdir, "appendonlydir"), os.path.join(node.workdir, "appendonlydir"))
    node.start()
    assert snapshot(node) == expected
