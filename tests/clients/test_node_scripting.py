"""Lua scripting through redis-py against a data node (redis-server as the reference and
vigil-node): redis-py's Lock (its acquire/extend/release are Lua scripts run by EVALSHA)
with two contending clients, register_script with the NOSCRIPT -> EVAL fallback, and a
replica receiving a script's writes (effects replication, REPL_NONE left out)."""
import threading
import time

import pytest
import redis

from harness import wait_until


def test_lock_acquire_extend_release_with_contention(r, r2):
    first = r.lock("resource", timeout=5, blocking_timeout=0.2)
    second = r2.lock("resource", timeout=5, blocking_timeout=0.2)
    assert first.acquire() is True
    assert second.acquire() is False, "the lock is held by the first client"
    assert first.owned() and not second.owned()
    ttl_before = r.pttl("resource")
    assert first.extend(10) is True
    assert r.pttl("resource") > ttl_before
    assert first.reacquire() is True
    second.local.token = b"not-the-owner"  # the release script compares tokens
    with pytest.raises(redis.exceptions.LockNotOwnedError):
        second.release()
    second.local.token = b"not-the-owner"  # release() forgot it
    with pytest.raises(redis.exceptions.LockNotOwnedError):
        second.extend(5)
    second.local.token = None
    first.release()
    assert r.exists("resource") == 0

    # The second client waits for the first one's release (blocking acquire).
    assert first.acquire() is True
    waiter = r2.lock("resource", timeout=5, blocking_timeout=5, sleep=0.02, thread_local=False)
    got = []
    t = threading.Thread(target=lambda: got.append(waiter.acquire()))
    t.start()
    time.sleep(0.1)
    first.release()
    t.join(10)
    assert got == [True] and waiter.owned()
    waiter.release()


def test_lock_counts_as_a_context_manager(r, r2):
    counter_key = "counter"
    r.set(counter_key, 0)

    def worker(client):
        for _ in range(20):
            with client.lock("ctx-lock", timeout=5, blocking_timeout=5, sleep=0.001):
                value = int(client.get(counter_key))
                client.set(counter_key, value + 1)

    threads = [threading.Thread(target=worker, args=(c,)) for c in (r, r2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert int(r.get(counter_key)) == 40


def test_register_script_falls_back_to_eval_and_caches(r):
    r.script_flush()
    incr_by = r.register_script("return redis.call('incrby', KEYS[1], ARGV[1])")
    assert r.script_exists(incr_by.sha) == [False]
    assert incr_by(keys=["n"], args=[5]) == 5  # NOSCRIPT, then EVAL loads it
    assert r.script_exists(incr_by.sha) == [True]
    assert incr_by(keys=["n"], args=[2]) == 7
    assert r.evalsha(incr_by.sha, 1, "n", 1) == 8
    pipe = r.pipeline()
    incr_by(keys=["n"], args=[10], client=pipe)
    pipe.get("n")
    assert pipe.execute() == [18, b"18"]
    with pytest.raises(redis.exceptions.ResponseError, match="not allowed from read-only scripts"):
        r.eval_ro("return redis.call('set', KEYS[1], 'x')", 1, "n")
    assert r.eval_ro("return redis.call('get', KEYS[1])", 1, "n") == b"18"
    with pytest.raises(redis.exceptions.NoScriptError):
        r.evalsha("0" * 40, 0)


def _wait_link_up(replica):
    wait_until(lambda: replica.info("replication").get("master_link_status") == "up", 20,
               message="replica link up")


def _wait_in_sync(master, replica):
    def synced():
        target = int(master.info("replication")["master_repl_offset"])
        return int(replica.info("replication").get("slave_repl_offset", -1)) == target
    wait_until(synced, 20, message="replica in sync with the master")


@pytest.mark.parametrize("kind", ["redis-server", "vigil-node"])
def test_replica_receives_the_effects_of_a_script(spawn, kind):
    start = spawn.redis_server if kind == "redis-server" else spawn.vigil_node
    master = start()
    replica = start(replicaof=["127.0.0.1", master.port])
    _wait_link_up(replica)
    m = redis.Redis(port=master.port, socket_timeout=10)
    s = redis.Redis(port=replica.port, socket_timeout=10)
    script = """
        redis.call('set', KEYS[1], ARGV[1])
        redis.call('rpush', KEYS[2], 'a', 'b')
        redis.call('incrby', KEYS[3], 5)
        redis.set_repl(redis.REPL_NONE)
        redis.call('set', KEYS[4], 'master-only')
        redis.set_repl(redis.REPL_ALL)
        redis.call('expire', KEYS[1], 1000)
        return redis.call('get', KEYS[1])
    """
    assert m.eval(script, 4, "s", "l", "n", "local", "value") == b"value"
    # Random-looking effects replicate as their results (no script re-execution).
    m.eval("redis.call('set', 'r', tostring(math.random()))", 0)
    _wait_in_sync(master, replica)
    assert s.get("s") == b"value"
    assert 0 < s.ttl("s") <= 1000
    assert s.lrange("l", 0, -1) == [b"a", b"b"]
    assert s.get("n") == b"5"
    assert s.get("r") == m.get("r")
    assert s.exists("local") == 0 and m.get("local") == b"master-only"
    # Read-only scripts run on the replica; writes are refused there.
    assert s.eval("return redis.call('get', KEYS[1])", 1, "s") == b"value"
    with pytest.raises(redis.exceptions.ReadOnlyError, match="read only replica. script: "):
        s.eval("return redis.call('set', 'x', 1)", 0)
    # A shebang script without no-writes is a write command as a whole.
    with pytest.raises(redis.exceptions.ReadOnlyError, match="^You can't write against a read only replica.$"):
        s.eval("#!lua\nreturn 1", 0)
    assert s.eval("#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", 1, "s") == b"value"
    m.close()
    s.close()


def _wait_busy(client):
    def busy():
        try:
            client.ping()
        except redis.exceptions.ResponseError as e:
            assert str(e).startswith("BUSY Redis is busy running a script")
            return True
        return False
    wait_until(busy, 10, message="the server answers -BUSY")


@pytest.mark.timeout(60)
def test_busy_script_answers_busy_and_script_kill_stops_it(r, r2):
    assert r2.config_set("busy-reply-threshold", 100) is True
    outcome = []

    def run(script):
        try:
            outcome.append(r.eval(script, 0))
        except redis.exceptions.ResponseError as e:
            outcome.append(str(e))

    # A read-only endless script: other clients get -BUSY, SCRIPT KILL ends it.
    t = threading.Thread(target=run, args=("local i = 0 while true do i = i + 1 end",))
    t.start()
    _wait_busy(r2)
    with pytest.raises(redis.exceptions.ResponseError, match="^BUSY"):
        r2.get("k")
    assert r2.script_kill() is True
    t.join(10)
    assert len(outcome) == 1 and outcome[0].startswith("Script killed by user with SCRIPT KILL...")
    assert r2.ping() is True
    with pytest.raises(redis.exceptions.ResponseError, match="^NOTBUSY"):
        r2.script_kill()

    # Once it wrote, a script cannot be killed: it runs to its end (about a second).
    outcome.clear()
    script = """
        redis.call('set', 'w', 'written')
        local t0 = tonumber(redis.call('time')[1])
        while tonumber(redis.call('time')[1]) - t0 < 2 do end
        return 'done'
    """
    t = threading.Thread(target=run, args=(script,))
    t.start()
    _wait_busy(r2)
    with pytest.raises(redis.exceptions.ResponseError, match="^UNKILLABLE Sorry the script already"):
        r2.script_kill()
    t.join(15)
    assert outcome == [b"done"]
    assert r2.get("w") == b"written"
