"""redis-py (Debian's python3-redis) against a data node: basic operations of every type,
pipelines (transactional and not), pub/sub with a listener thread, a blocking BLPOP woken
by another client, and WATCH conflicts. Each test runs against redis-server (the
reference) and vigil-node through the data_node fixture."""
import threading
import time

import pytest
import redis


def test_connection_and_server_commands(r, data_node):
    assert r.ping() is True
    assert r.echo("hi") == b"hi"
    assert r.client_setname("py-client") is True
    assert r.client_getname() == "py-client"
    assert isinstance(r.client_id(), int)
    names = [c["name"] for c in r.client_list()]
    assert "py-client" in names
    info = r.info()
    assert info["redis_version"]
    assert info["role"] == "master"
    assert "used_memory" in r.info("memory")
    assert r.config_get("maxmemory") == {"maxmemory": "0"}
    assert r.config_set("maxmemory", "10mb") is True
    assert r.config_get("maxmemory") == {"maxmemory": "10485760"}
    assert r.config_set("maxmemory", "0") is True
    seconds, micros = r.time()
    assert abs(seconds - time.time()) < 5 and 0 <= micros < 1000000
    assert r.dbsize() == 0
    assert r.execute_command("ROLE") == [b"master", 0, []]
    other_db = redis.Redis(host="127.0.0.1", port=data_node.port, db=3)
    other_db.set("in3", "x")
    assert r.get("in3") is None and r.dbsize() == 0
    assert other_db.get("in3") == b"x"
    other_db.close()
    r.flushall()
    with pytest.raises(redis.ResponseError, match="unknown command"):
        r.execute_command("NOSUCHCOMMAND")


def test_strings_and_keys(r):
    assert r.set("s", "v") is True
    assert r.get("s") == b"v"
    assert r.set("s", "w", nx=True) is None
    assert r.set("s", "w", xx=True, get=True) == b"v"
    assert r.set("bin", b"\x00\xff\r\n") and r.get("bin") == b"\x00\xff\r\n"
    assert r.mset({"a": "1", "b": "2"}) is True
    assert r.mget("a", "b", "nope") == [b"1", b"2", None]
    assert r.incr("n") == 1 and r.incrby("n", 10) == 11 and r.decr("n") == 10
    assert r.incrbyfloat("f", 1.5) == 1.5
    assert r.append("s", "xyz") == 4 and r.strlen("s") == 4
    assert r.getrange("s", 1, 2) == b"xy" and r.setrange("s", 0, "W") == 4
    assert r.getset("s", "new") == b"Wxyz" and r.getdel("s") == b"new"
    assert r.setex("e", 100, "v") and 98 <= r.ttl("e") <= 100
    assert r.psetex("pe", 100000, "v") and 98000 <= r.pttl("pe") <= 100000
    assert r.getex("e", persist=True) == b"v" and r.ttl("e") == -1
    assert r.expire("e", 50) and r.persist("e") and r.ttl("e") == -1
    assert r.pexpire("e", 20) and r.exists("e") == 1
    time.sleep(0.1)
    assert r.exists("e") == 0 and r.get("e") is None
    with pytest.raises(redis.ResponseError, match="not an integer"):
        r.incr("bin")
    assert r.type("a") == b"string" and r.type("nope") == b"none"
    assert r.rename("a", "a2") and r.renamenx("a2", "b") is False
    assert r.copy("b", "b2") and r.get("b2") == b"2"
    assert sorted(r.keys("*")) == sorted([b"bin", b"a2", b"b", b"b2", b"n", b"f", b"pe"])
    assert sorted(r.scan_iter(match="b*", count=2)) == [b"b", b"b2", b"bin"]
    assert r.randomkey() in r.keys("*")
    assert r.delete("a2", "b", "nope") == 2 and r.unlink("b2") == 1
    assert r.expireat("bin", int(time.time()) + 100) and r.ttl("bin") > 0
    assert r.flushdb() and r.dbsize() == 0


def test_hashes(r):
    assert r.hset("h", mapping={"a": "1", "b": "2"}) == 2
    assert r.hset("h", "c", "3") == 1
    assert r.hget("h", "a") == b"1" and r.hget("h", "zz") is None
    assert r.hmget("h", "a", "zz", "c") == [b"1", None, b"3"]
    assert r.hgetall("h") == {b"a": b"1", b"b": b"2", b"c": b"3"}
    assert sorted(r.hkeys("h")) == [b"a", b"b", b"c"]
    assert sorted(r.hvals("h")) == [b"1", b"2", b"3"]
    assert r.hlen("h") == 3 and r.hexists("h", "a") and not r.hexists("h", "z")
    assert r.hsetnx("h", "a", "x") == 0 and r.hsetnx("h", "d", "4") == 1
    assert r.hincrby("h", "a", 5) == 6 and r.hincrbyfloat("h", "b", 0.5) == 2.5
    assert r.hstrlen("h", "c") == 1 and r.hdel("h", "a", "zz") == 1
    assert dict(r.hscan_iter("h")) == {b"b": b"2.5", b"c": b"3", b"d": b"4"}
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.lpush("h", "x")


def test_lists(r):
    assert r.rpush("l", "a", "b", "c") == 3 and r.lpush("l", "z") == 4
    assert r.lrange("l", 0, -1) == [b"z", b"a", b"b", b"c"]
    assert r.llen("l") == 4 and r.lindex("l", -1) == b"c"
    assert r.lset("l", 0, "Z") and r.linsert("l", "before", "b", "ab") == 5
    assert r.lpos("l", "b") == 3 and r.lrem("l", 0, "ab") == 1
    assert r.lpop("l") == b"Z" and r.rpop("l") == b"c" and r.lpop("l", 5) == [b"a", b"b"]
    assert r.lpop("l") is None and r.exists("l") == 0
    assert r.lpushx("l", "x") == 0 and r.rpush("l", 1, 2, 3, 4) == 4
    assert r.ltrim("l", 1, 2) and r.lrange("l", 0, -1) == [b"2", b"3"]
    assert r.lmove("l", "l2", "LEFT", "RIGHT") == b"2" and r.lrange("l2", 0, -1) == [b"2"]
    assert r.rpushx("l2", "9") == 2


def test_sets(r):
    assert r.sadd("s1", "a", "b", "c") == 3 and r.sadd("s2", "c", "d") == 2
    assert r.smembers("s1") == {b"a", b"b", b"c"} and r.scard("s1") == 3
    assert r.sismember("s1", "a") and not r.sismember("s1", "z")
    assert r.smismember("s1", ["a", "z"]) == [1, 0]
    assert r.sunion("s1", "s2") == {b"a", b"b", b"c", b"d"}
    assert r.sinter("s1", "s2") == {b"c"} and r.sdiff("s1", "s2") == {b"a", b"b"}
    assert r.sunionstore("u", "s1", "s2") == 4 and r.sinterstore("i", "s1", "s2") == 1
    assert r.sdiffstore("d", "s1", "s2") == 2 and r.smembers("d") == {b"a", b"b"}
    assert r.smove("s1", "s2", "a") and r.srem("s1", "b", "zz") == 1
    assert r.srandmember("s1") == b"c" and r.spop("s1") == b"c" and r.exists("s1") == 0
    assert set(r.sscan_iter("s2")) == {b"a", b"c", b"d"}
    assert len(r.srandmember("s2", -5)) == 5


def test_sorted_sets(r):
    assert r.zadd("z", {"a": 1, "b": 2.5, "c": 3}) == 3
    assert r.zadd("z", {"a": 10}, xx=True, ch=True) == 1
    assert r.zscore("z", "b") == 2.5 and r.zmscore("z", ["a", "nope"]) == [10.0, None]
    assert r.zrange("z", 0, -1, withscores=True) == [(b"b", 2.5), (b"c", 3.0), (b"a", 10.0)]
    assert r.zrevrange("z", 0, 0) == [b"a"]
    assert r.zrangebyscore("z", 2, 5) == [b"b", b"c"]
    assert r.zrevrangebyscore("z", "+inf", "(3") == [b"a"]
    assert r.zrank("z", "c") == 1 and r.zrevrank("z", "c") == 1
    assert r.zcard("z") == 3 and r.zcount("z", "-inf", "+inf") == 3
    assert r.zincrby("z", 0.5, "b") == 3.0
    assert r.zpopmin("z") == [(b"b", 3.0)] and r.zpopmax("z") == [(b"a", 10.0)]
    assert r.zadd("z", {"x": 1, "y": 2, "w": 5}) == 3
    assert r.zremrangebyscore("z", 4, 6) == 1 and r.zremrangebyrank("z", 0, 0) == 1
    assert dict(r.zscan_iter("z")) == {b"y": 2.0, b"c": 3.0}
    assert r.zrem("z", "y", "c") == 2 and r.exists("z") == 0


def test_pipeline_not_transactional(r):
    pipe = r.pipeline(transaction=False)
    for i in range(500):
        pipe.set("k%d" % i, i)
    pipe.incr("k0").get("k499").lpush("k1", "x").get("nope")
    results = pipe.execute(raise_on_error=False)
    assert results[:500] == [True] * 500
    assert results[500] == 1 and results[501] == b"499"
    assert isinstance(results[502], redis.ResponseError) and results[503] is None
    assert r.dbsize() == 500


def test_pipeline_transactional(r):
    pipe = r.pipeline(transaction=True)
    pipe.set("a", 1).incr("a").lpush("a", "x").incrby("a", 5)
    results = pipe.execute(raise_on_error=False)
    assert results[0] is True and results[1] == 2
    assert isinstance(results[2], redis.ResponseError) and results[3] == 7
    assert r.get("a") == b"7"
    pipe = r.pipeline(transaction=True)
    pipe.set("b", 1)
    pipe.execute_command("NOSUCHCOMMAND")
    with pytest.raises(redis.ResponseError):
        pipe.execute()
    assert r.get("b") is None  # EXECABORT: nothing ran


def test_watch_conflict_aborts_then_retry_succeeds(r, r2):
    r.set("balance", 100)
    with r.pipeline() as pipe:
        pipe.watch("balance")
        current = int(pipe.get("balance"))
        r2.incrby("balance", 1)  # a concurrent writer touches the watched key
        pipe.multi()
        pipe.set("balance", current - 10)
        with pytest.raises(redis.WatchError):
            pipe.execute()
    assert r.get("balance") == b"101"

    attempts = []

    def withdraw(pipe):
        value = int(pipe.get("balance"))
        if not attempts:
            r2.incrby("balance", 1)  # conflict on the first attempt only
        attempts.append(value)
        pipe.multi()
        pipe.set("balance", value - 10)

    r.transaction(withdraw, "balance")
    assert attempts == [101, 102]
    assert r.get("balance") == b"92"


def test_pubsub_listener_thread(r, r2):
    p = r.pubsub()
    p.subscribe("news")
    p.psubscribe("alerts.*")
    received, stop = [], threading.Event()

    def listen():
        while not stop.is_set():
            msg = p.get_message(timeout=0.1)
            if msg and msg["type"] in ("message", "pmessage"):
                received.append((msg["type"], msg["channel"], msg["data"], msg["pattern"]))

    # wait until both subscriptions are registered server-side
    deadline = time.monotonic() + 5
    while r2.pubsub_numsub("news")[0][1] != 1 or r2.pubsub_numpat() != 1:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    listener = threading.Thread(target=listen)
    listener.start()
    try:
        counts = [r2.publish("news", "m%d" % i) for i in range(100)]
        counts.append(r2.publish("alerts.disk", "full"))
        counts.append(r2.publish("other", "ignored"))
        assert counts == [1] * 101 + [0]
        deadline = time.monotonic() + 5
        while len(received) < 101 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        listener.join(5)
        p.close()
    assert received[:100] == [("message", b"news", b"m%d" % i, None) for i in range(100)]
    assert received[100] == ("pmessage", b"alerts.disk", b"full", b"alerts.*")
    assert len(received) == 101


def test_blpop_woken_by_another_client(r, r2):
    result = {}

    def blocked():
        result["value"] = r.blpop(["q1", "q2"], timeout=5)

    t = threading.Thread(target=blocked)
    t.start()
    time.sleep(0.2)
    assert "value" not in result  # still blocked
    r2.rpush("q2", "job")
    t.join(5)
    assert result["value"] == (b"q2", b"job")
    assert r.exists("q2") == 0
    started = time.monotonic()
    assert r.blpop("q1", timeout=0.2) is None
    assert 0.15 <= time.monotonic() - started < 3
    r2.rpush("src", "a")
    assert r.blmove("src", "dst", 1, "LEFT", "RIGHT") == b"a"
    assert r.brpop("dst", 1) == (b"dst", b"a")
