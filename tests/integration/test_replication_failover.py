"""vigil-node replication across role changes: PSYNC2 partial resyncs after a promotion,
the MULTI / REPLICAOF / CONFIG REWRITE / CLIENT KILL / EXEC transaction sentinels send, and
the role surviving a restart through CONFIG REWRITE."""
import os

import pytest
import redis

import harness
from harness import free_port, wait_until


def r(proc, db=0):
    return redis.Redis(port=proc.port, db=db, socket_timeout=20)


def wait_link_up(replica, timeout=20):
    wait_until(lambda: replica.info("replication").get("master_link_status") == "up", timeout,
               message="replica link up")


def wait_in_sync(master, *replicas, timeout=20):
    def synced():
        target = int(master.info("replication")["master_repl_offset"])
        return all(x.info("replication").get("master_link_status") == "up"
                   and int(x.info("replication").get("slave_repl_offset", -1)) == target
                   for x in replicas)
    wait_until(synced, timeout, message="replicas in sync with the master")


def stats(proc):
    s = proc.info("stats")
    return int(s["sync_full"]), int(s["sync_partial_ok"]), int(s["sync_partial_err"])


def node_with_config_file(spawn_dir, lines):
    """A vigil-node started from a redis.conf (CONFIG REWRITE needs one)."""
    binary = harness.require_binary(harness.vigil_binary("vigil-node"), "vigil-node")
    port = free_port()
    workdir = os.path.join(spawn_dir, "node-%d" % port)
    os.makedirs(workdir, exist_ok=True)
    conf = os.path.join(workdir, "redis.conf")
    with open(conf, "w") as f:
        f.write("port %d\nbind 127.0.0.1\ndir %s\nsave \"\"\n" % (port, workdir))
        for line in lines:
            f.write(line + "\n")
    proc = harness.Process([binary, conf], workdir, name="vigil-node", port=port)
    proc.conf_path = conf
    return proc


@pytest.fixture
def conf_nodes(tmp_path):
    procs = []

    def make(lines=()):
        p = node_with_config_file(str(tmp_path), list(lines))
        procs.append(p)
        return p.start()
    yield make
    for p in reversed(procs):
        try:
            p.stop(timeout=5)
        except Exception:
            p.kill9()


def test_promotion_gives_partial_resyncs_to_the_other_replica_and_the_old_master(spawn):
    # No PINGs from the old master during the switch: every byte it produced reached A.
    old = spawn.vigil_node(repl_ping_replica_period=3600)
    a = spawn.vigil_node(replicaof=["127.0.0.1", old.port])
    b = spawn.vigil_node(replicaof=["127.0.0.1", old.port])
    wait_link_up(a)
    wait_link_up(b)
    for i in range(100):
        r(old).set("k%d" % i, i)
    r(old, 4).hset("h", "f", "v")
    wait_in_sync(old, a, b)
    old_id = old.info("replication")["master_replid"]
    offset = int(old.info("replication")["master_repl_offset"])

    r(a).execute_command("REPLICAOF", "NO", "ONE")
    info = a.info("replication")
    assert info["role"] == "master"
    assert info["master_replid2"] == old_id
    assert int(info["second_repl_offset"]) == offset + 1
    assert info["master_replid"] != old_id

    r(b).execute_command("REPLICAOF", "127.0.0.1", a.port)
    r(old).execute_command("REPLICAOF", "127.0.0.1", a.port)
    wait_link_up(b)
    wait_link_up(old)
    r(a).set("after", "promotion")
    wait_in_sync(a, b, old)
    assert r(b).get("after") == b"promotion"
    assert r(old).get("after") == b"promotion"
    assert r(old, 4).hget("h", "f") == b"v"
    full, ok, err = stats(a)
    assert (full, ok, err) == (0, 2, 0), "both resynced partially through replid2"
    assert old.info("replication")["master_replid"] == a.info("replication")["master_replid"]
    assert r(old).execute_command("ROLE")[0] == b"slave"


def test_old_master_with_divergent_writes_needs_a_full_sync(spawn):
    old = spawn.vigil_node(repl_ping_replica_period=3600)
    a = spawn.vigil_node(replicaof=["127.0.0.1", old.port])
    wait_link_up(a)
    r(old).set("x", "1")
    wait_in_sync(old, a)
    r(a).execute_command("REPLICAOF", "NO", "ONE")
    r(old).set("lost", "write")  # beyond what A has: history diverged
    r(old).execute_command("REPLICAOF", "127.0.0.1", a.port)
    wait_in_sync(a, old)
    assert r(old).get("lost") is None
    assert stats(a)[0] == 1


def test_sentinel_promotion_transaction(conf_nodes):
    master = conf_nodes()
    replica = conf_nodes(["replicaof 127.0.0.1 %d" % master.port])
    wait_link_up(replica)
    r(master).set("k", "v")
    wait_in_sync(master, replica)
    bystander = replica.client()
    bystander.call("PING")

    # Exactly what a sentinel sends to the replica it promotes.
    pipe = r(replica).pipeline(transaction=True)
    pipe.execute_command("REPLICAOF", "NO", "ONE")
    pipe.execute_command("CONFIG", "REWRITE")
    pipe.execute_command("CLIENT", "KILL", "TYPE", "normal")
    replies = pipe.execute()
    assert replies[0] in (b"OK", True) and replies[1] in (b"OK", True)
    assert r(replica).execute_command("ROLE")[0] == b"master"
    with open(replica.conf_path) as f:
        assert "replicaof" not in f.read()
    assert bystander.read_reply(timeout=2).startswith(harness.CLOSED)

    # And what it sends to the old master to turn it into a replica.
    pipe = r(master).pipeline(transaction=True)
    pipe.execute_command("REPLICAOF", "127.0.0.1", str(replica.port))
    pipe.execute_command("CONFIG", "REWRITE")
    pipe.execute_command("CLIENT", "KILL", "TYPE", "normal")
    pipe.execute()
    wait_link_up(master)
    with open(master.conf_path) as f:
        assert "replicaof 127.0.0.1 %d" % replica.port in f.read()
    r(replica).set("new", "1")
    wait_in_sync(replica, master)
    assert r(master).get("new") == b"1"


def test_role_survives_restart_after_config_rewrite(conf_nodes):
    master = conf_nodes()
    node = conf_nodes()
    r(master).set("k", "v")
    r(node).execute_command("REPLICAOF", "127.0.0.1", master.port)
    r(node).execute_command("CONFIG", "REWRITE")
    wait_link_up(node)
    node.restart()
    role = r(node).execute_command("ROLE")
    assert role[0] == b"slave" and role[1] == b"127.0.0.1" and role[2] == master.port
    wait_link_up(node)
    assert r(node).get("k") == b"v"
    # Promoted and rewritten: a master after the next restart.
    r(node).execute_command("REPLICAOF", "NO", "ONE")
    r(node).execute_command("CONFIG", "REWRITE")
    node.restart()
    assert r(node).execute_command("ROLE")[0] == b"master"
