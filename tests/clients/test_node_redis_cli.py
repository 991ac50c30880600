"""redis-cli (Debian's redis-tools) against a data node: plain commands and their
formatting, --pipe mass insert, -r repeat, -x, -n, --scan, and exit codes. Each test runs
against redis-server (the reference) and vigil-node through the data_node fixture."""
import subprocess

import pytest

import harness


@pytest.fixture
def cli(data_node):
    binary = harness.require_binary(harness.redis_binary("redis-cli"), "redis-cli")

    def run(*args, stdin=None, timeout=30):
        proc = subprocess.run([binary, "-h", "127.0.0.1", "-p", str(data_node.port)]
                              + [str(a) for a in args], input=stdin, capture_output=True,
                              timeout=timeout)
        return proc.returncode, proc.stdout
    return run


# (arguments, exact stdout) in order; stdout is what redis-cli prints when not on a tty.
SESSION = [
    (["PING"], b"PONG\n"),
    (["SET", "k", "hello world"], b"OK\n"),
    (["GET", "k"], b"hello world\n"),
    (["GET", "nope"], b"\n"),
    (["--no-raw", "GET", "nope"], b"(nil)\n"),
    (["--no-raw", "GET", "k"], b'"hello world"\n'),
    (["INCR", "n"], b"1\n"),
    (["--no-raw", "INCR", "n"], b"(integer) 2\n"),
    (["RPUSH", "l", "a", "b", "c"], b"3\n"),
    (["LRANGE", "l", "0", "-1"], b"a\nb\nc\n"),
    (["--no-raw", "LRANGE", "l", "0", "-1"], b'1) "a"\n2) "b"\n3) "c"\n'),
    (["--no-raw", "LRANGE", "nope", "0", "-1"], b"(empty array)\n"),
    (["ZADD", "z", "1.5", "m"], b"1\n"),
    (["ZRANGE", "z", "0", "-1", "WITHSCORES"], b"m\n1.5\n"),
    (["HSET", "h", "f", "v"], b"1\n"),
    (["HGETALL", "h"], b"f\nv\n"),
    (["NOSUCHCOMMAND", "x"], b"ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' \n\n"),
    (["--no-raw", "LPUSH", "k", "x"], b"(error) WRONGTYPE Operation against a key holding the wrong kind of value\n"),
    (["DEL", "k", "n", "l", "z", "h"], b"5\n"),
    (["DBSIZE"], b"0\n"),
]


def test_commands_and_formatting(cli):
    for args, expected in SESSION:
        rc, out = cli(*args)
        assert (rc, out) == (0, expected), args


def test_exit_codes(cli):
    assert cli("PING")[0] == 0
    assert cli("-e", "PING")[0] == 0
    assert cli("-e", "NOSUCHCOMMAND")[0] == 1
    assert cli("NOSUCHCOMMAND")[0] == 0  # without -e an error reply is just printed
    port = harness.free_port()  # nothing listens there
    proc = subprocess.run([harness.redis_binary("redis-cli"), "-p", str(port), "PING"],
                          capture_output=True, timeout=30)
    assert proc.returncode == 1 and b"Connection refused" in proc.stdout + proc.stderr
    harness.release_port(port)


def test_pipe_mass_insert(cli, data_node):
    n = 20000
    payload = b"".join(harness.encode_command("SET", "key:%d" % i, "value-%d" % i)
                       for i in range(n))
    payload += harness.encode_command("RPUSH", "list", *range(100))
    rc, out = cli("--pipe", stdin=payload, timeout=60)
    assert rc == 0, out
    assert b"errors: 0, replies: %d" % (n + 1) in out, out
    assert data_node.execute("DBSIZE") == n + 1
    assert data_node.execute("GET", "key:12345") == b"value-12345"
    assert data_node.execute("LLEN", "list") == 100

    bad = harness.encode_command("SET", "a", "1") + harness.encode_command("INCR", "list")
    rc, out = cli("--pipe", stdin=bad)
    assert b"errors: 1, replies: 2" in out, out


def test_pipe_inline_protocol(cli, data_node):
    payload = b"".join(b"SET inline:%d %d\r\n" % (i, i) for i in range(1000))
    rc, out = cli("--pipe", stdin=payload)
    assert rc == 0 and b"errors: 0, replies: 1000" in out, out
    assert data_node.execute("GET", "inline:999") == b"999"


def test_repeat_stdin_db_and_scan(cli, data_node):
    rc, out = cli("-r", "100", "INCR", "counter")
    assert rc == 0 and out.split() == [b"%d" % i for i in range(1, 101)]
    assert data_node.execute("GET", "counter") == b"100"
    rc, out = cli("-x", "SET", "fromstdin", stdin=b"line1\nline2\n")
    assert (rc, out) == (0, b"OK\n")
    assert data_node.execute("GET", "fromstdin") == b"line1\nline2\n"
    assert cli("-n", "5", "SET", "db5key", "x") == (0, b"OK\n")
    assert cli("-n", "5", "DBSIZE") == (0, b"1\n")
    assert cli("EXISTS", "db5key") == (0, b"0\n")
    for i in range(30):
        data_node.execute("SET", "scan:%d" % i, i)
    rc, out = cli("--scan", "--pattern", "scan:*")
    assert rc == 0 and sorted(out.split()) == sorted(b"scan:%d" % i for i in range(30))
    rc, out = cli("INFO", "server")
    assert rc == 0 and b"redis_version:" in out
