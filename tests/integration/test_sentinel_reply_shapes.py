"""Reply shapes clients parse (reference ecosystem.md §A.8), compared with a real
redis-sentinel watching the same master + replica: field names and their order in SENTINEL
MASTER(S)/REPLICAS/SLAVES/SENTINELS, GET-MASTER-ADDR-BY-NAME, INFO sentinel lines, ROLE,
HELLO, DEBUG keys, CONFIG GET keys, RESP3 maps, pub/sub message shapes."""
import re

import pytest

from harness import RawClient, wait_until


def keys(flat):
    return [flat[i] for i in range(0, len(flat), 2)]


def as_dict(flat):
    return dict(zip(flat[0::2], flat[1::2]))


@pytest.fixture
def pair(spawn):
    master = spawn.redis_server()
    replica = spawn.redis_server(replicaof=["127.0.0.1", master.port])
    conf = ("sentinel monitor mymaster 127.0.0.1 %d 2\n"
            "sentinel down-after-milliseconds mymaster 1000\n" % master.port)
    vigil = spawn.vigil_sentinel(conf)
    redis = spawn.redis_sentinel(conf)

    def converged(s):
        f = as_dict(s.execute("SENTINEL", "MASTER", "mymaster"))
        return f[b"num-slaves"] == b"1" and f[b"num-other-sentinels"] == b"1"
    wait_until(lambda: converged(vigil) and converged(redis), 30, message="both to converge")
    return master, replica, vigil, redis


def test_instance_maps_have_redis_fields_in_order(pair):
    _, replica, vigil, redis = pair
    for cmd in (("SENTINEL", "MASTER", "mymaster"),):
        assert keys(vigil.execute(*cmd)) == keys(redis.execute(*cmd))
    assert [keys(m) for m in vigil.execute("SENTINEL", "MASTERS")] == \
        [keys(m) for m in redis.execute("SENTINEL", "MASTERS")]
    for sub in ("REPLICAS", "SLAVES", "SENTINELS"):
        ours = vigil.execute("SENTINEL", sub, "mymaster")
        theirs = redis.execute("SENTINEL", sub, "mymaster")
        assert len(ours) == len(theirs) == 1, sub
        assert keys(ours[0]) == keys(theirs[0]), sub
        assert all(isinstance(v, bytes) for v in ours[0]), "every value is a bulk string"
    rep = as_dict(vigil.execute("SENTINEL", "REPLICAS", "mymaster")[0])
    assert rep[b"name"] == b"127.0.0.1:%d" % replica.port
    assert rep[b"flags"] == b"slave"
    assert as_dict(vigil.execute("SENTINEL", "MASTER", "mymaster"))[b"flags"] == b"master"
    # The peer's record exists from its first hello; its link comes up right after.
    wait_until(lambda: as_dict(vigil.execute("SENTINEL", "SENTINELS", "mymaster")[0])[b"flags"]
               == b"sentinel", 10, message="peer sentinel link to be connected")


def test_simple_replies_match(pair):
    _, _, vigil, redis = pair
    for cmd in (("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"), ("ROLE",),
                ("SENTINEL", "CKQUORUM", "mymaster"), ("SENTINEL", "PENDING-SCRIPTS"),
                ("SENTINEL", "get-master-addr-by-name", "mymaster")):
        assert vigil.call(*cmd) == redis.call(*cmd), cmd
    # Redis's 13 tunables first, in its order; vigil's own options (VIGIL-*) follow.
    redis_debug = keys(redis.execute("SENTINEL", "DEBUG"))
    vigil_debug = keys(vigil.execute("SENTINEL", "DEBUG"))
    assert vigil_debug[:len(redis_debug)] == redis_debug
    assert all(k.startswith(b"VIGIL-") for k in vigil_debug[len(redis_debug):])
    assert vigil.call("SENTINEL", "CONFIG", "GET", "*") == redis.call("SENTINEL", "CONFIG", "GET", "*")
    assert len(vigil.execute("SENTINEL", "MYID")) == 40


def test_info_sentinel_section(pair):
    master, _, vigil, redis = pair
    ours, theirs = vigil.info("sentinel"), redis.info("sentinel")
    assert list(ours) == list(theirs)
    assert ours["master0"] == "name=mymaster,status=ok,address=127.0.0.1:%d,slaves=1,sentinels=2" \
        % master.port
    assert ours["master0"] == theirs["master0"]
    server = vigil.info("server")
    assert server["redis_mode"] == "sentinel"
    assert re.fullmatch(r"[0-9a-f]{40}", server["run_id"])
    assert server["tcp_port"] == str(vigil.port)
    full = vigil.execute("INFO").decode()
    for section in ("# Server", "# Clients", "# CPU", "# Stats", "# Sentinel"):
        assert section in full


def test_hello_and_resp3(pair):
    _, _, vigil, redis = pair
    with RawClient(vigil.port) as v, RawClient(redis.port) as r:
        ours, theirs = v.execute("HELLO", "3"), r.execute("HELLO", "3")
        assert list(ours) == list(theirs)
        assert ours[b"mode"] == b"sentinel" and ours[b"proto"] == 3
        # After HELLO 3, instance records are real maps.
        v.send(b"*3\r\n$8\r\nSENTINEL\r\n$6\r\nMASTER\r\n$8\r\nmymaster\r\n")
        reply = v.read_parsed()
        assert reply.kind == "%"
        r.send(b"*3\r\n$8\r\nSENTINEL\r\n$6\r\nMASTER\r\n$8\r\nmymaster\r\n")
        assert r.read_parsed().kind == "%"


def test_pubsub_message_shapes(pair):
    master, _, vigil, redis = pair
    subs = []
    for s in (vigil, redis):
        c = RawClient(s.port, timeout=20)
        assert c.call("PSUBSCRIBE", "[-+]sdown") == \
            b"*3\r\n$10\r\npsubscribe\r\n$9\r\n[-+]sdown\r\n:1\r\n"
        subs.append(c)
    try:
        master.kill9()
        for c in subs:
            msg = c.read_parsed(timeout=20).to_python()
            assert msg[:3] == [b"pmessage", b"[-+]sdown", b"+sdown"]
            assert msg[3] == b"master mymaster 127.0.0.1 %d" % master.port
    finally:
        for c in subs:
            c.close()
