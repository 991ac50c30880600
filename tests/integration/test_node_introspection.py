"""MONITOR and SLOWLOG as operators use them, against redis-server (the reference)
and vigil-node (data_node fixture): redis-cli's `monitor` and redis-py's monitor
see another client's commands in execution order, quoted as Redis quotes them,
with AUTH arguments redacted and MULTI/EXEC shown as Redis shows them; SLOWLOG
entries trim long commands the way Redis does."""
import re
import subprocess
import time

import pytest

redis = pytest.importorskip("redis")

# +<sec>.<usec> [<db> <ip>:<port>] "arg" ... (redis-cli prints it without the '+')
LINE = re.compile(r'^(\d+)\.(\d{6}) \[(\d+) 127\.0\.0\.1:(\d+)\] (.*)$')


def strip_stamp(line):
    m = LINE.match(line)
    assert m, "not a MONITOR line: %r" % line
    return "[%s] %s" % (m.group(3), m.group(5))


def test_redis_cli_monitor_shows_other_clients_commands(data_node):
    cli = subprocess.Popen(["redis-cli", "-p", str(data_node.port), "monitor"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert cli.stdout.readline().strip() == "OK"
        r = redis.Redis(port=data_node.port)
        r.execute_command("SET", "k", b'a"b\\c\n\x00\xff')
        r.execute_command("SELECT", "2")
        r.execute_command("INCR", "n")
        with pytest.raises(redis.RedisError):
            r.execute_command("AUTH", "secret")
        r.execute_command("CONFIG", "GET", "maxmemory")  # admin: never shown
        r.execute_command("SELECT", "0")
        r.execute_command("ECHO", "last")
        lines = [strip_stamp(cli.stdout.readline().rstrip("\n")) for _ in range(6)]
    finally:
        cli.kill()
        cli.wait()
    assert lines == [
        r'[0] "SET" "k" "a\"b\\c\n\x00\xff"',
        '[2] "SELECT" "2"',
        '[2] "INCR" "n"',
        '[2] "AUTH" "(redacted)"',
        '[0] "SELECT" "0"',
        '[0] "ECHO" "last"',
    ]


def test_redis_py_monitor_multi_exec(data_node):
    r = redis.Redis(port=data_node.port)
    with r.monitor() as m:
        other = redis.Redis(port=data_node.port)
        pipe = other.pipeline(transaction=True)
        pipe.set("a", "1")
        pipe.get("a")
        pipe.execute()
        with pytest.raises(redis.ResponseError):
            other.execute_command("GET", "nosuch", "extra")  # arity error: never shown
        other.execute_command("PING")
        seen = []
        for event in m.listen():
            seen.append(event["command"])
            if event["command"] == "PING":
                break
    assert seen == ["MULTI", "SET a 1", "GET a", "EXEC", "PING"]


def test_monitor_client_flags_and_reset(data_node):
    with data_node.client(timeout=5) as mon, data_node.client(timeout=5) as c:
        assert mon.call("MONITOR") == b"+OK\r\n"
        listing = c.call("CLIENT", "LIST").decode()
        flags = sorted(re.findall(r"flags=(\S+)", listing))
        assert flags == ["N", "O"]
        assert mon.call("GET", "k") == b"-ERR Replica can't interact with the keyspace\r\n"
        assert mon.call("RESET") == b"+RESET\r\n"
        assert c.call("PING") == b"+PONG\r\n"
        assert mon.call("GET", "k") == b"$-1\r\n"  # no monitor line came first


def test_slowlog_trims_arguments(data_node):
    r = redis.Redis(port=data_node.port)
    r.config_set("slowlog-log-slower-than", 0)
    r.slowlog_reset()
    r.client_setname("ops-probe")
    r.execute_command("RPUSH", "l", *["v%d" % i for i in range(40)])
    r.execute_command("SET", "big", "x" * 200)
    entries = r.execute_command("SLOWLOG", "GET", "3")
    big, rpush = entries[0], entries[1]
    assert big[3] == [b"SET", b"big", b"x" * 128 + b"... (72 more bytes)"]
    assert len(rpush[3]) == 32
    assert rpush[3][:3] == [b"RPUSH", b"l", b"v0"]
    assert rpush[3][30] == b"v28"
    assert rpush[3][31] == b"... (11 more arguments)"
    assert rpush[0] + 1 == big[0]
    assert re.match(rb"^127\.0\.0\.1:\d+$", big[4])
    assert big[5] == b"ops-probe"
    assert isinstance(big[2], int) and big[2] >= 0
    assert abs(big[1] - time.time()) < 60
    r.config_set("slowlog-max-len", 1)
    r.ping()
    assert r.execute_command("SLOWLOG", "LEN") == 1
