"""vigil-node RDB persistence against real processes: SAVE/BGSAVE/save points,
restart and SHUTDOWN keep data, LASTSAVE/INFO persistence fields, and a corrupt
or truncated dump.rdb refusing to start with an error naming the file and offset."""
import os
import subprocess
import time

import pytest

import harness
from harness import wait_until


def populate(node):
    c = node.client()
    c.execute("SET", "str", "hello")
    c.execute("SET", "num", "12345")
    c.execute("RPUSH", "list", "a", "b", "c")
    c.execute("HSET", "hash", "f1", "v1", "f2", "v2")
    c.execute("SADD", "set", "x", "y", "1")
    c.execute("ZADD", "zset", "1.5", "m1", "-2", "m2")
    c.execute("SET", "ttl", "v", "PX", "100000000")
    c.execute("SELECT", "2")
    c.execute("SET", "db2key", "two")


def check_populated(node):
    c = node.client()
    assert c.execute("GET", "str") == b"hello"
    assert c.execute("GET", "num") == b"12345"
    assert c.execute("LRANGE", "list", "0", "-1") == [b"a", b"b", b"c"]
    assert c.execute("HGET", "hash", "f2") == b"v2"
    assert sorted(c.execute("SMEMBERS", "set")) == [b"1", b"x", b"y"]
    assert c.execute("ZRANGE", "zset", "0", "-1", "WITHSCORES") == [b"m2", b"-2", b"m1", b"1.5"]
    assert 0 < c.execute("PTTL", "ttl") <= 100000000
    c.execute("SELECT", "2")
    assert c.execute("GET", "db2key") == b"two"


def rdb_ok(path):
    out = subprocess.run(["redis-check-rdb", path], capture_output=True, text=True, timeout=60)
    return out.returncode == 0 and "RDB looks OK" in out.stdout


def test_save_then_restart_keeps_every_type(spawn):
    node = spawn.vigil_node()
    populate(node)
    assert node.execute("SAVE") == b"OK"
    path = os.path.join(node.workdir, "dump.rdb")
    assert os.path.exists(path)
    assert rdb_ok(path)
    node.kill9()
    node.start()
    check_populated(node)
    info = node.info("persistence")
    assert int(info["rdb_last_load_keys_loaded"]) == 8


def test_bgsave_updates_lastsave_and_status(spawn):
    node = spawn.vigil_node()
    before = node.execute("LASTSAVE")
    populate(node)
    assert int(node.info("persistence")["rdb_changes_since_last_save"]) >= 8
    time.sleep(1.1)  # LASTSAVE has one-second resolution
    reply = node.execute("BGSAVE")
    assert reply == b"Background saving started"
    wait_until(lambda: node.info("persistence")["rdb_bgsave_in_progress"] == "0", 20)
    info = node.info("persistence")
    assert info["rdb_last_bgsave_status"] == "ok"
    assert int(info["rdb_changes_since_last_save"]) == 0
    assert node.execute("LASTSAVE") > before
    assert rdb_ok(os.path.join(node.workdir, "dump.rdb"))
    # No temp-<pid>.rdb is left behind.
    assert [f for f in os.listdir(node.workdir) if f.startswith("temp-")] == []


def test_save_points_trigger_a_background_save(spawn):
    node = spawn.vigil_node(save=["1", "1"])
    node.execute("SET", "k", "v")
    path = os.path.join(node.workdir, "dump.rdb")
    wait_until(lambda: os.path.exists(path) and node.info("persistence")["rdb_changes_since_last_save"] == "0", 15)
    assert rdb_ok(path)


def test_shutdown_saves_with_save_points_and_not_with_nosave(spawn):
    node = spawn.vigil_node(save=["3600", "1"])
    node.execute("SET", "k", "v1")
    node.stop()  # SIGTERM: saves because save points exist
    node.start()
    assert node.execute("GET", "k") == b"v1"
    node.execute("SET", "k", "v2")
    with node.client() as c:
        c.send(harness.encode_command("SHUTDOWN", "NOSAVE"))
        c.read_until_closed()
    wait_until(lambda: not node.alive(), 10)
    node.start()
    assert node.execute("GET", "k") == b"v1"


def test_expired_keys_are_dropped_at_load(spawn):
    node = spawn.vigil_node()
    node.execute("SET", "short", "v", "PX", "300")
    node.execute("SET", "long", "v")
    node.execute("SAVE")
    node.kill9()
    time.sleep(0.5)
    node.start()
    assert node.execute("EXISTS", "short") == 0
    assert node.execute("EXISTS", "long") == 1
    info = node.info("persistence")
    assert (info["rdb_last_load_keys_loaded"], info["rdb_last_load_keys_expired"]) == ("1", "1")


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_corrupt_rdb_refuses_to_start_naming_file_and_offset(spawn, damage):
    node = spawn.vigil_node()
    for i in range(200):
        node.execute("SET", "key:%d" % i, "value-%d" % i)
    node.execute("SAVE")
    node.kill9()
    path = os.path.join(node.workdir, "dump.rdb")
    data = bytearray(open(path, "rb").read())
    if damage == "flip":
        data[len(data) // 2] ^= 0x5A
    else:
        data = data[: len(data) - 30]
    open(path, "wb").write(bytes(data))
    node.start(wait=False)
    try:
        node.popen.wait(20)
    except subprocess.TimeoutExpired:
        pytest.fail("vigil-node started on a corrupt RDB")
    assert node.popen.returncode != 0
    log = node.log_text()
    assert "dump.rdb" in log
    assert "offset" in log
