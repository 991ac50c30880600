"""vigil-node append-only file against real processes: Redis 7.0's multi-part
layout (appendonlydir + manifest), restart after kill -9, no acknowledged write
lost with appendfsync always under concurrent load, BGREWRITEAOF, and a
truncated AOF either cut at the last complete command (aof-load-truncated yes)
or refused with an error naming the file and offset."""
import os
import subprocess
import threading
import time

import pytest

import harness
from harness import wait_until

AOF_DIR = "appendonlydir"


def manifest(node):
    with open(os.path.join(node.workdir, AOF_DIR, "appendonly.aof.manifest")) as f:
        return [line.split() for line in f.read().splitlines() if line]


def incr_path(node):
    last_incr = [m for m in manifest(node) if m[-1] == "i"][-1]
    return os.path.join(node.workdir, AOF_DIR, last_incr[1])


def restart_with(node, **directives):
    """Starts a new vigil-node process on the same port and directory."""
    node.kill9()
    base = {"appendonly": True}
    base.update(directives)
    proc = harness.start_vigil_node(node.port, node.workdir, start=False, **base)
    return proc


def test_layout_matches_redis_and_restart_after_kill9_keeps_writes(spawn):
    node = spawn.vigil_node(appendonly=True)
    assert manifest(node) == [
        ["file", "appendonly.aof.1.base.rdb", "seq", "1", "type", "b"],
        ["file", "appendonly.aof.1.incr.aof", "seq", "1", "type", "i"],
    ]
    c = node.client()
    c.execute("SET", "a", "1")
    c.execute("RPUSH", "l", "x", "y")
    c.execute("SELECT", "3")
    c.execute("HSET", "h", "f", "v")
    c.execute("INCR", "counter")
    assert node.info("persistence")["aof_enabled"] == "1"
    with open(incr_path(node), "rb") as f:
        assert f.read().startswith(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n")
    node.kill9()
    node.start()
    c = node.client()
    assert c.execute("GET", "a") == b"1"
    assert c.execute("LRANGE", "l", "0", "-1") == [b"x", b"y"]
    c.execute("SELECT", "3")
    assert c.execute("HGET", "h", "f") == b"v"
    assert c.execute("GET", "counter") == b"1"


@pytest.mark.timeout(90)
def test_no_acknowledged_write_lost_on_kill9_with_fsync_always(spawn):
    node = spawn.vigil_node(appendonly=True, appendfsync="always")
    acked_incr = [0] * 4
    acked_sets = [set() for _ in range(4)]
    stop = threading.Event()

    def writer(n):
        c = harness.RawClient(node.port, timeout=5.0)
        i = 0
        try:
            while not stop.is_set():
                reply = c.execute("INCR", "counter:%d" % n)
                acked_incr[n] = reply
                c.execute("SET", "k:%d:%d" % (n, i), "v%d" % i)
                acked_sets[n].add(i)
                i += 1
        except Exception:
            pass  # the server died under us: everything acknowledged so far is recorded

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    wait_until(lambda: sum(acked_incr) >= 400, 30)
    node.kill9()
    stop.set()
    for t in threads:
        t.join(10)
    node.start()
    c = node.client()
    for n in range(4):
        value = c.execute("GET", "counter:%d" % n)
        assert int(value or 0) >= acked_incr[n], "acknowledged INCR lost for writer %d" % n
        for i in acked_sets[n]:
            assert c.execute("EXISTS", "k:%d:%d" % (n, i)) == 1, "acknowledged SET k:%d:%d lost" % (n, i)


def test_bgrewriteaof_installs_new_base_and_keeps_data(spawn):
    node = spawn.vigil_node(appendonly=True)
    c = node.client()
    for i in range(100):
        c.execute("SET", "k%d" % i, "v%d" % i)
    assert c.execute("BGREWRITEAOF") == b"Background append only file rewriting started"
    c.execute("SET", "during", "rewrite")
    wait_until(lambda: node.info("persistence")["aof_rewrite_in_progress"] == "0", 20)
    assert node.info("persistence")["aof_last_bgrewrite_status"] == "ok"
    m = manifest(node)
    assert m[0][1] == "appendonly.aof.2.base.rdb" and m[0][-1] == "b"
    assert [x[1] for x in m[1:]] == ["appendonly.aof.2.incr.aof"]
    files = sorted(os.listdir(os.path.join(node.workdir, AOF_DIR)))
    assert files == ["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"]
    c.execute("SET", "after", "rewrite")
    node.kill9()
    node.start()
    c = node.client()
    assert c.execute("GET", "k99") == b"v99"
    assert c.execute("GET", "during") == b"rewrite"
    assert c.execute("GET", "after") == b"rewrite"


def test_truncated_aof_is_cut_at_last_complete_command(spawn):
    node = spawn.vigil_node(appendonly=True)
    node.execute("SET", "a", "1")
    node.execute("SET", "b", "2")
    node.kill9()
    path = incr_path(node)
    good_size = os.path.getsize(path)
    with open(path, "ab") as f:
        f.write(b"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nhal")
    node.start()
    assert node.execute("GET", "b") == b"2"
    assert node.execute("EXISTS", "c") == 0
    assert os.path.getsize(path) == good_size
    log = node.log_text()
    assert "!!! Truncating the AOF" in log and "at offset %d" % good_size in log


def test_truncated_aof_refused_when_truncation_not_allowed(spawn):
    node = spawn.vigil_node(appendonly=True)
    node.execute("SET", "a", "1")
    path = incr_path(node)
    proc = restart_with(node, aof_load_truncated=False)
    size = os.path.getsize(path)
    with open(path, "ab") as f:
        f.write(b"*2\r\n$3\r\nDEL")
    proc.start(wait=False)
    try:
        proc.popen.wait(20)
    finally:
        proc.kill9()
    assert proc.popen.returncode != 0
    log = proc.log_text()
    assert "Unexpected end of file reading the append only file" in log
    assert "appendonly.aof.1.incr.aof" in log and "offset %d" % size in log
    assert os.path.getsize(path) == size + len(b"*2\r\n$3\r\nDEL")  # untouched


def test_garbage_in_aof_is_refused(spawn):
    node = spawn.vigil_node(appendonly=True)
    node.execute("SET", "a", "1")
    path = incr_path(node)
    proc = restart_with(node)
    with open(path, "ab") as f:
        f.write(b"this is not RESP\r\n")
    proc.start(wait=False)
    try:
        proc.popen.wait(20)
    finally:
        proc.kill9()
    assert proc.popen.returncode != 0
    assert "Bad file format reading the append only file" in proc.log_text()


def test_config_set_appendonly_at_runtime_keeps_existing_data(spawn):
    node = spawn.vigil_node()
    node.execute("SET", "before", "1")
    assert node.execute("CONFIG", "SET", "appendonly", "yes") == b"OK"
    wait_until(lambda: node.info("persistence")["aof_enabled"] == "1", 10)
    node.execute("SET", "after", "2")
    proc = restart_with(node)  # kill -9, then a new process with appendonly yes
    spawn.processes.append(proc)
    proc.start()
    assert proc.execute("GET", "before") == b"1"
    assert proc.execute("GET", "after") == b"2"


def test_bgsave_during_rewrite_needs_schedule(spawn):
    node = spawn.vigil_node(appendonly=True)
    node.execute("SET", "k", "v")
    c = node.client()
    # One pipeline: BGSAVE runs in the same loop iteration as the fork of the
    # rewrite, before any child can have been reaped.
    c.send(harness.encode_command("BGREWRITEAOF") + harness.encode_command("BGSAVE") +
           harness.encode_command("BGSAVE", "SCHEDULE"))
    assert c.read_parsed().to_python() == b"Background append only file rewriting started"
    busy = c.read_parsed().to_python()
    assert isinstance(busy, harness.ReplyError) and b"Use BGSAVE SCHEDULE" in busy
    assert c.read_parsed().to_python() == b"Background saving scheduled"
    wait_until(lambda: node.info("persistence")["rdb_saves"] == "1", 20)
    info = node.info("persistence")
    assert info["rdb_last_bgsave_status"] == "ok" and info["aof_last_bgrewrite_status"] == "ok"
