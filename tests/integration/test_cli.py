"""vigil-cli against real processes: status (healthy, a sentinel down, sentinels that
disagree), failover, a --manual drill on vigil's own stack (vigil-node + vigil-sentinel,
expected to lose no acknowledged write), unreachable/unknown/bad-argument errors, and the
default configuration files in packaging/config loading in the daemons.

Exit statuses checked (cli/README.md): 0 ok, 1 problem found / operation incomplete,
2 bad arguments, 3 no sentinel answered for the group."""
import os
import re
import shutil
import socket
import subprocess
import time

import pytest

import harness
from harness import wait_until

DOWN_AFTER = 1000
FAILOVER_TIMEOUT = 10000
PACKAGING = os.path.join(harness.REPO_ROOT, "packaging", "config")


def cli_binary():
    return harness.require_binary(harness.vigil_binary("vigil-cli"), "vigil-cli")


def run_cli(*args, timeout=45):
    """Runs vigil-cli; returns (exit status, stdout, stderr)."""
    p = subprocess.run([cli_binary()] + [str(a) for a in args], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def sentinel_conf(master_port, quorum=2, name="mymaster"):
    return ("sentinel monitor %s 127.0.0.1 %d %d\n"
            "sentinel down-after-milliseconds %s %d\n"
            "sentinel failover-timeout %s %d\n"
            % (name, master_port, quorum, name, DOWN_AFTER, name, FAILOVER_TIMEOUT))


def master_fields(sentinel):
    raw = sentinel.execute("SENTINEL", "MASTER", "mymaster")
    assert not isinstance(raw, harness.ReplyError), raw
    return {raw[i].decode(): raw[i + 1].decode() for i in range(0, len(raw), 2)}


def addr_of(sentinel):
    reply = sentinel.execute("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
    return (reply[0].decode(), int(reply[1])) if reply else None


def vigil_node_replicates(spawn):
    if harness.vigil_binary("vigil-node") is None:
        return False
    probe = spawn.vigil_node()
    reply = probe.call("REPLICAOF", "NO", "ONE")
    probe.stop()
    return reply.startswith(b"+OK")


class Stack:
    """A master, two replicas and three vigil-sentinels (quorum 2), converged."""

    def __init__(self, spawn, node_kind):
        start_node = spawn.vigil_node if node_kind == "vigil-node" else spawn.redis_server
        self.master = start_node()
        self.replicas = [start_node(replicaof=["127.0.0.1", self.master.port]) for _ in range(2)]
        self.nodes = [self.master] + self.replicas
        self.sentinels = [spawn.vigil_sentinel(sentinel_conf(self.master.port)) for _ in range(3)]
        wait_until(self._converged, 30, message="sentinels to discover replicas and each other")

    def _converged(self):
        for s in self.sentinels:
            f = master_fields(s)
            if int(f["num-slaves"]) < 2 or int(f["num-other-sentinels"]) < 2:
                return False
        return True

    def sentinel_args(self):
        out = []
        for s in self.sentinels:
            out += ["--sentinel", "127.0.0.1:%d" % s.port]
        return out


@pytest.fixture
def stack(spawn):
    """vigil-node when it replicates, else Debian's redis-server as the data nodes."""
    return Stack(spawn, "vigil-node" if vigil_node_replicates(spawn) else "redis-server")


@pytest.fixture
def vigil_stack(spawn):
    if not vigil_node_replicates(spawn):
        pytest.skip("vigil-node is not built or does not support REPLICAOF yet")
    return Stack(spawn, "vigil-node")


# --- no servers needed ---------------------------------------------------------------

@pytest.mark.timeout(30)
def test_help_and_bad_arguments():
    code, out, err = run_cli("--help")
    assert code == 0 and "Usage: vigil-cli" in out and "drill <group>" in out
    code, out, _ = run_cli("drill", "--help")
    assert code == 0 and "--kill" in out and "SHUTDOWN NOSAVE" in out
    code, out, _ = run_cli("help", "status")
    assert code == 0 and "CKQUORUM" in out
    bad = [
        ([], "no command"),
        (["frobnicate", "g"], "unknown command 'frobnicate'"),
        (["status"], "missing <group>"),
        (["status", "a", "b"], "unexpected argument 'b'"),
        (["-p", "notaport", "status", "g"], "invalid port 'notaport'"),
        (["-p", "70000", "status", "g"], "invalid port"),
        (["--sentinel", "host:", "status", "g"], "invalid port"),
        (["status", "g", "-h"], "needs a host"),
        (["--bogus", "status", "g"], "unknown option '--bogus'"),
        (["drill", "g", "--rate", "0"], "--rate"),
        (["drill", "g", "--duration", "abc"], "--duration"),
        (["drill", "g", "--manual", "--kill"], "exclusive"),
        (["status", "g", "--kill"], "only apply to drill"),
        (["failover", "g", "--wait"], "--wait"),
        (["-h", "a", "-h", "b", "-p", "1", "-p", "2", "-p", "3", "status", "g"], "one -h per -p"),
        (["--timeout", "0", "status", "g"], "--timeout"),
    ]
    for args, message in bad:
        code, out, err = run_cli(*args)
        assert code == 2, (args, code, out, err)
        assert message in err and err.startswith("vigil-cli: "), (args, err)


@pytest.mark.timeout(30)
def test_unreachable_sentinels_fail_fast_with_a_clear_error():
    port = harness.free_port()  # nothing listens there
    t0 = time.monotonic()
    code, out, err = run_cli("-p", port, "status", "mymaster")
    assert code == 3, (code, out, err)
    assert "127.0.0.1:%d" % port in out and "unreachable" in out
    assert "no sentinel answered for group 'mymaster'" in err
    assert "Connection refused" in err or "Connection refused" in out
    # A peer that accepts the connection but never answers: every call has a timeout.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        t0 = time.monotonic()
        for cmd in (["status", "g"], ["failover", "g"], ["drill", "g", "--duration", "1"]):
            code, out, err = run_cli("--timeout", "300", "--sentinel",
                                     "127.0.0.1:%d" % silent.getsockname()[1], *cmd)
            assert code == 3, (cmd, code, out, err)
            assert "timed out" in out + err, (cmd, out, err)
        assert time.monotonic() - t0 < 10
    finally:
        silent.close()


# --- against sentinels ------------------------------------------------------------------

@pytest.mark.timeout(60)
def test_status_healthy_then_a_sentinel_down(stack):
    s0 = stack.sentinels[0]
    # Only one sentinel given: the other two are found through SENTINEL SENTINELS.
    code, out, err = run_cli("-p", s0.port, "status", "mymaster")
    assert code == 0, (out, err)
    for s in stack.sentinels:
        assert "127.0.0.1:%d" % s.port in out
    master = "127.0.0.1:%d" % stack.master.port
    rows = [l for l in out.splitlines() if re.match(r"127\.0\.0\.1:\d+\*?\s", l)]
    sentinel_rows = [l for l in rows if l.split()[0].rstrip("*") in
                     ["127.0.0.1:%d" % s.port for s in stack.sentinels]]
    assert len(sentinel_rows) == 3, out
    for row in sentinel_rows:
        cols = row.split()
        assert cols[1] == master and cols[2] == "master", row
        assert cols[4] == "2" and cols[5] == "2" and cols[6] == "2", row  # replicas, peers, quorum
        assert cols[7] == "ok", row
    for r in stack.replicas:
        assert re.search(r"^127\.0\.0\.1:%d\s+slave\s+%s\s+ok\s+\d+\s+-?\d+" % (r.port, re.escape(master)),
                         out, re.M), out
    assert "ok: 3 sentinels agree on master %s, quorum reachable" % master in out

    # --no-discover: only the sentinel given.
    code, out, err = run_cli("-p", s0.port, "--no-discover", "status", "mymaster")
    assert code == 0 and "1 sentinel (1 answered)" in out, (out, err)

    # One sentinel down: reported, non-zero exit (the other two still reach the quorum).
    down = stack.sentinels[2]
    down.stop()
    code, out, err = run_cli(*stack.sentinel_args(), "status", "mymaster")
    assert code == 1, (out, err)
    assert re.search(r"127\.0\.0\.1:%d\s+unreachable" % down.port, out), out
    assert "sentinel 127.0.0.1:%d is unreachable" % down.port in out


@pytest.mark.timeout(40)
def test_status_flags_sentinels_that_disagree(spawn):
    # Two groups both called "mymaster" on different nodes, one sentinel each: asked
    # together, the sentinels disagree on the master.
    # The second is Debian's redis-sentinel when installed: vigil-cli speaks to both.
    a, b = spawn.redis_server(), spawn.redis_server()
    sa = spawn.vigil_sentinel(sentinel_conf(a.port, quorum=1))
    other = spawn.redis_sentinel if harness.redis_binary("redis-sentinel") else spawn.vigil_sentinel
    sb = other(sentinel_conf(b.port, quorum=1))
    wait_until(lambda: addr_of(sa) and addr_of(sb), 10)
    code, out, err = run_cli("--sentinel", "127.0.0.1:%d" % sa.port, "--sentinel",
                             "127.0.0.1:%d" % sb.port, "status", "mymaster")
    assert code == 1, (out, err)
    assert "sentinels disagree on the master" in out
    assert "127.0.0.1:%d (according to 127.0.0.1:%d)" % (a.port, sa.port) in out
    assert "127.0.0.1:%d (according to 127.0.0.1:%d)" % (b.port, sb.port) in out
    # Each alone is healthy (a lone sentinel with quorum 1 reaches its quorum).
    for s in (sa, sb):
        code, out, err = run_cli("-p", s.port, "status", "mymaster")
        assert code == 0, (out, err)
    # A group nobody monitors.
    code, out, err = run_cli("-p", sa.port, "status", "nosuchgroup")
    assert code == 3 and "unknown group" in out and "no sentinel answered" in err, (out, err)
    code, out, err = run_cli("-p", sa.port, "failover", "nosuchgroup")
    assert code == 3, (out, err)


@pytest.mark.timeout(60)
def test_failover_command(stack):
    old = stack.master.port
    code, out, err = run_cli("-p", stack.sentinels[0].port, "failover", "mymaster", "--wait", "30")
    assert code == 0, (out, err)
    m = re.search(r"mymaster: 127\.0\.0\.1:%d -> 127\.0\.0\.1:(\d+) in ([\d.]+) s \(3/3 sentinels agree"
                  % old, out)
    assert m, out
    new = int(m.group(1))
    assert new in [r.port for r in stack.replicas]
    for s in stack.sentinels:
        assert addr_of(s) == ("127.0.0.1", new)
    promoted = next(n for n in stack.nodes if n.port == new)
    assert promoted.info("replication")["role"] == "master"


@pytest.mark.timeout(60)
def test_drill_manual_on_vigil_stack_loses_nothing(vigil_stack):
    old = vigil_stack.master.port
    code, out, err = run_cli("-p", vigil_stack.sentinels[0].port, "drill", "mymaster", "--manual",
                             "--duration", "3", "--rate", "50", "--wait", "30", "--max-lost", "0")
    assert code == 0, (out, err)
    m = re.search(r"result\s+window_ms=(-?\d+) acked=(\d+) lost=(\d+) sent=(\d+)", out)
    assert m, out
    window, acked, lost, sent = map(int, m.groups())
    assert lost == 0, out
    assert acked >= 50 and sent >= acked, out
    assert window >= 0, out
    assert "old master              127.0.0.1:%d" % old in out
    new = int(re.search(r"new master\s+127\.0\.0\.1:(\d+)", out).group(1))
    assert new != old and new in [r.port for r in vigil_stack.replicas]
    for s in vigil_stack.sentinels:
        assert addr_of(s) == ("127.0.0.1", new)
    # The drill's keys were removed afterwards (default without --keep-keys).
    promoted = next(n for n in vigil_stack.nodes if n.port == new)
    assert promoted.execute("KEYS", "drill:*") == []


@pytest.mark.timeout(60)
def test_drill_kill_on_vigil_stack(vigil_stack):
    old = vigil_stack.master
    code, out, err = run_cli("-p", vigil_stack.sentinels[0].port, "drill", "mymaster", "--kill",
                             "--duration", "3", "--rate", "50", "--wait", "30")
    assert code == 0, (out, err)
    assert "SHUTDOWN NOSAVE sent to 127.0.0.1:%d" % old.port in out
    m = re.search(r"result\s+window_ms=(-?\d+) acked=(\d+) lost=(\d+) sent=(\d+)", out)
    assert m, out
    window, acked, lost, sent = map(int, m.groups())
    # No timing claim here (those live in bench/): only that a window was measured.
    assert window > 0, out
    assert 0 <= lost <= acked <= sent, out
    wait_until(lambda: not old.alive(), 10, message="the old master to exit")
    assert old.returncode == 0  # a clean SHUTDOWN, not a crash


# --- packaging/config ----------------------------------------------------------------

@pytest.mark.timeout(40)
def test_packaging_configs_load(tmp_dir, spawn):
    sentinel = harness.require_binary(harness.vigil_binary("vigil-sentinel"), "vigil-sentinel")
    node = harness.require_binary(harness.vigil_binary("vigil-node"), "vigil-node")
    for name in ("vigil-sentinel.yaml", "sentinel.conf"):
        # A copy: in sentinel.conf mode the daemon may rewrite its file.
        path = os.path.join(tmp_dir, name)
        shutil.copy(os.path.join(PACKAGING, name), path)
        p = subprocess.run([sentinel, path, "--test-config"], capture_output=True, text=True, timeout=20)
        assert p.returncode == 0, (name, p.stdout, p.stderr)
        assert "Configuration test passed: 1 master(s)" in p.stdout
        # The check is real: a broken copy fails.
        with open(path, "a") as f:
            f.write("\nno-such-directive: 1\n" if name.endswith(".yaml") else "\nno-such-directive 1\n")
        p = subprocess.run([sentinel, path, "--test-config"], capture_output=True, text=True, timeout=20)
        assert p.returncode != 0, (name, p.stdout)

    # The sentinel runs with the YAML file as the unit starts it (overrides on the command line).
    port = harness.free_port()
    workdir = os.path.join(tmp_dir, "sentinel-run")
    os.makedirs(workdir)
    proc = harness.Process([sentinel, os.path.join(PACKAGING, "vigil-sentinel.yaml"), "--port", port,
                            "--dir", workdir, "--supervised", "no"], workdir, port=port)
    spawn.processes.append(proc)
    proc.start()
    reply = proc.execute("SENTINEL", "MASTER", "mymaster")
    fields = {reply[i].decode(): reply[i + 1].decode() for i in range(0, len(reply), 2)}
    assert fields["port"] == "6379" and fields["quorum"] == "2"
    assert fields["down-after-milliseconds"] == "5000"
    proc.stop()

    # vigil-node starts with its YAML file and takes its values.
    port = harness.free_port()
    workdir = os.path.join(tmp_dir, "node-run")
    os.makedirs(workdir)
    proc = harness.Process([node, os.path.join(PACKAGING, "vigil-node.yaml"), "--port", port,
                            "--dir", workdir, "--supervised", "no"], workdir, port=port)
    spawn.processes.append(proc)
    proc.start()
    assert proc.execute("CONFIG", "GET", "maxmemory-policy") == [b"maxmemory-policy", b"noeviction"]
    assert proc.execute("CONFIG", "GET", "save") == [b"save", b"3600 1 300 100 60 10000"]
    assert proc.execute("CONFIG", "GET", "repl-backlog-size") == [b"repl-backlog-size", b"1048576"]
    assert proc.execute("CONFIG", "GET", "dir")[1].decode() == os.path.realpath(workdir)
    assert proc.stop() == 0
