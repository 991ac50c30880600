"""Hostile and malformed input to vigil-sentinel: it must answer exactly what Redis answers
(compared byte for byte with a real redis-sentinel watching the same master), never crash or
hang, and never vote twice in an epoch whatever peers claim."""
import socket
import time

import pytest

from harness import RawClient, wait_until

MYID_A = "a" * 40
MYID_B = "b" * 40


def conf(master_port, extra=""):
    return ("sentinel monitor mymaster 127.0.0.1 %d 2\n"
            "sentinel down-after-milliseconds mymaster 1000\n%s" % (master_port, extra))


@pytest.fixture
def pair(spawn):
    """A vigil-sentinel and a redis-sentinel monitoring the same redis-server."""
    master = spawn.redis_server()
    vigil = spawn.vigil_sentinel(conf(master.port))
    redis = spawn.redis_sentinel(conf(master.port))
    return master, vigil, redis


# Commands whose replies must be identical on both (errors included).
SAME_REPLY = [
    ("SENTINEL", "foo"),
    ("SENTINEL",),
    ("SENTINEL", "MASTER"),
    ("SENTINEL", "MASTER", "nope"),
    ("SENTINEL", "master", "nope"),
    ("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nope"),
    ("SENTINEL", "REPLICAS", "nope"),
    ("SENTINEL", "SENTINELS", "nope"),
    ("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "x", "0", "*"),
    ("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "1", "0", "*"),
    ("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "1", "0"),
    ("SENTINEL", "SET", "mymaster", "quorum", "0"),
    ("SENTINEL", "SET", "mymaster", "foo", "1"),
    ("SENTINEL", "SET", "mymaster", "quorum"),
    ("SENTINEL", "SET", "nope", "quorum", "2"),
    ("SENTINEL", "MONITOR", "x", "1.2.3.4", "abc", "2"),
    ("SENTINEL", "MONITOR", "mymaster", "1.2.3.4", "5", "2"),
    ("SENTINEL", "MONITOR", "x", "1.2.3.4", "5", "0"),
    ("SENTINEL", "SIMULATE-FAILURE", "foo"),
    ("SENTINEL", "SIMULATE-FAILURE", "help"),
    ("SENTINEL", "CONFIG", "foo"),
    ("SENTINEL", "CONFIG", "SET", "foo", "bar"),
    ("SENTINEL", "CONFIG", "GET", "resolve-hostnames"),
    ("SENTINEL", "RESET", "nomatch"),
    ("SENTINEL", "DEBUG", "foo", "1"),
    ("SENTINEL", "DEBUG", "ping-period", "-1"),
    ("SENTINEL", "CKQUORUM", "nope"),
    ("SENTINEL", "FAILOVER", "nope"),
    ("SENTINEL", "FAILOVER", "mymaster"),
    ("SENTINEL", "REMOVE", "nope"),
    ("SENTINEL", "INFO-CACHE", "nope"),
    ("SENTINEL", "HELP"),
    ("GET", "foo"),
    ("SET", "a", "b"),
    ("PUBLISH", "foo", "bar"),
    ("HELLO", "4"),
    ("HELLO", "x"),
    ("PING", "a", "b"),
    ("PING", "hello"),
    ("ROLE",),
    ("AUTH", "x"),
    ("CLIENT", "GETNAME"),
    ("CLIENT", "NOSUCH"),
    ("SHUTDOWN", "foo"),
]


def test_replies_match_redis_sentinel(pair):
    _, vigil, redis = pair
    mismatches = []
    for cmd in SAME_REPLY:
        ours, theirs = vigil.call(*cmd), redis.call(*cmd)
        if ours != theirs:
            mismatches.append((cmd, ours[:200], theirs[:200]))
    assert not mismatches, "\n".join("%r\n  vigil: %r\n  redis: %r" % m for m in mismatches)


def test_malformed_resp_closes_only_that_client(pair):
    _, vigil, redis = pair
    for garbage in (b"*abc\r\n", b"*2\r\n$-5\r\n", b"*1\r\n$999999999999\r\n",
                    b"*3000000000\r\n", b"\x00\xff\xfe garbage \r\n" * 3):
        for server in (vigil, redis):
            with RawClient(server.port, timeout=3) as c:
                c.send(garbage)
                data, closed = c.read_until_closed(timeout=3)
                if server is vigil:
                    ours = (data, closed)
                else:
                    theirs = (data, closed)
        assert ours == theirs, (garbage, ours, theirs)
    # Still serving.
    assert vigil.call("PING") == b"+PONG\r\n"


def test_subscribed_context_and_pipelining(pair):
    _, vigil, redis = pair
    for server in (vigil, redis):
        with RawClient(server.port) as c:
            c.send(b"SUBSCRIBE a b\r\nPING\r\nROLE\r\nUNSUBSCRIBE\r\nPSUBSCRIBE *\r\nPUNSUBSCRIBE\r\n")
            replies = [c.read_reply() for _ in range(8)]
        if server is vigil:
            ours = replies
        else:
            theirs = replies
    # UNSUBSCRIBE with no argument lists channels in dict order on Redis: compare the
    # channel names as a set, and the remaining count after the last one.
    assert ours[:4] == theirs[:4]
    channel = lambda raw: raw.split(b"\r\n")[4]
    assert sorted(map(channel, ours[4:6])) == sorted(map(channel, theirs[4:6])) == [b"a", b"b"]
    assert ours[5].endswith(b":0\r\n") and theirs[5].endswith(b":0\r\n")
    assert ours[6:] == theirs[6:]


def test_bogus_hellos_are_ignored(pair):
    _, vigil, _ = pair
    before = vigil.execute("SENTINEL", "SENTINELS", "mymaster")
    # (A non-numeric port is read as 0 and creates a record, as in Redis: not tested here.)
    for payload in ("", "garbage", "1,2,3",
                    "127.0.0.1,26999,%s,1,unknownmaster,127.0.0.1,1,1" % MYID_A,
                    ",,,,,,,", "a,b,c,d,e,f,g,h,i", "x" * 100000):
        assert vigil.call("PUBLISH", "__sentinel__:hello", payload) == b":1\r\n"
    assert vigil.execute("SENTINEL", "SENTINELS", "mymaster") == before
    assert vigil.call("PING") == b"+PONG\r\n"


def test_one_vote_per_epoch_even_across_restart(pair):
    master, vigil, _ = pair
    port = str(master.port)
    # A peer claims a huge epoch: adopted (as Redis does), and the vote goes to the first
    # requester of that epoch only.
    big = str(2 ** 62)
    first = vigil.execute("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", port, big, MYID_A)
    assert first[1] == MYID_A.encode() and first[2] == 2 ** 62
    second = vigil.execute("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", port, big, MYID_B)
    assert second[1] == MYID_A.encode() and second[2] == 2 ** 62
    vigil.restart()
    third = vigil.execute("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", port, big, MYID_B)
    # As in Redis only the vote's epoch is persisted (leader-epoch), not whom it went to: after
    # the restart the reply names no leader ("*"), but it must not be a vote for B.
    assert third[1] != MYID_B.encode(), "voted twice in one epoch after a restart"
    assert third[2] == 2 ** 62
    info = vigil.execute("SENTINEL", "MASTER", "mymaster")
    assert info  # still serving
    # Unknown master address: not down, no vote.
    assert vigil.execute("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "1", big, MYID_B) == \
        [0, b"*", 0]


def test_requirepass(spawn):
    master = spawn.redis_server()
    vigil = spawn.vigil_sentinel(conf(master.port, "requirepass s3cret\n"))
    redis = spawn.redis_sentinel(conf(master.port, "requirepass s3cret\n"))
    for cmd, expected_same in ((("PING",), True), (("SENTINEL", "MASTERS"), True),
                               (("AUTH", "wrong"), True), (("AUTH", "default", "wrong"), True),
                               (("HELLO", "2", "AUTH", "default", "wrong"), True)):
        assert vigil.call(*cmd) == redis.call(*cmd), cmd
    with RawClient(vigil.port) as c:
        assert c.call("AUTH", "s3cret") == b"+OK\r\n"
        assert c.call("PING") == b"+PONG\r\n"
    with RawClient(vigil.port) as c:
        reply = c.execute("HELLO", "3", "AUTH", "default", "s3cret")
        assert reply[b"mode"] == b"sentinel" and reply[b"proto"] == 3


def test_slow_reader_and_many_connections(pair):
    _, vigil, _ = pair
    socks = [socket.create_connection(("127.0.0.1", vigil.port)) for _ in range(200)]
    try:
        for s in socks[:50]:
            s.sendall(b"*1\r\n$4\r\nPING\r\n" * 100)   # never read
        assert vigil.call("PING") == b"+PONG\r\n"
    finally:
        for s in socks:
            s.close()
    wait_until(lambda: int(vigil.info("clients")["connected_clients"]) <= 2, 10)


def test_requirepass_is_used_toward_peer_sentinels(spawn):
    """Without sentinel-pass, a sentinel authenticates to its peers with its own requirepass
    (as Redis): peers answer its PINGs, so none of them is seen as down."""
    master = spawn.redis_server()
    sentinels = [spawn.vigil_sentinel(conf(master.port, "requirepass s3cret\n")) for _ in range(2)]

    def ckquorum(s):
        with RawClient(s.port) as c:
            assert c.call("AUTH", "s3cret") == b"+OK\r\n"
            return c.call("SENTINEL", "CKQUORUM", "mymaster")
    wait_until(lambda: all(ckquorum(s).startswith(b"+OK 2 usable") for s in sentinels), 20)
    time.sleep(2.5)   # > down-after: an unauthenticated peer link would be SDOWN by now
    for s in sentinels:
        assert ckquorum(s).startswith(b"+OK 2 usable Sentinels"), ckquorum(s)
