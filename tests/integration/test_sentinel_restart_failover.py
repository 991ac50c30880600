"""A sentinel that dies in the middle of a failover and is restarted with the same
configuration resumes from its saved state: same myid, epochs never go back, it never
votes twice in one epoch (checked on every sentinel's log across restarts), and the group
converges to one master that every sentinel reports, the other nodes replicating from it.

Real processes: three redis-server nodes (master + 2 replicas), three vigil-sentinels with
short timings. The leader is stopped at an exact point of the failover:
  * deterministically with SENTINEL SIMULATE-FAILURE crash-after-promotion (the leader
    exits with 99 right after +promoted-slave, as Redis does) on a manual failover;
  * with kill -9 from the pub/sub thread the moment the leader publishes +selected-slave
    or +promoted-slave during a failover started by kill -9 of the master.
"""
import os
import re
import signal
import threading

import pytest

import harness
from harness import EventLog, wait_until

DOWN_AFTER = 1000
FAILOVER_TIMEOUT = 6000
VOTE = re.compile(r"\+vote-for-leader ([0-9a-f]{40}) (\d+)")


def sentinel_conf(master_port):
    return ("sentinel monitor mymaster 127.0.0.1 %d 2\n"
            "sentinel down-after-milliseconds mymaster %d\n"
            "sentinel failover-timeout mymaster %d\n" % (master_port, DOWN_AFTER, FAILOVER_TIMEOUT))


def fields(sentinel):
    raw = sentinel.execute("SENTINEL", "MASTER", "mymaster")
    assert isinstance(raw, list), raw
    return {raw[i].decode(): raw[i + 1].decode() for i in range(0, len(raw), 2)}


def addr_of(sentinel):
    reply = sentinel.execute("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
    return (reply[0].decode(), int(reply[1])) if reply else None


def conf_number(sentinel, pattern):
    m = re.search(pattern, open(sentinel.conf_path).read(), re.M)
    return int(m.group(1)) if m else None


def votes(sentinel):
    """epoch -> set of leaders this sentinel voted for, over its whole log (every start)."""
    out = {}
    for leader, epoch in VOTE.findall(sentinel.log_text()):
        out.setdefault(int(epoch), set()).add(leader)
    return out


class Group:
    def __init__(self, spawn):
        harness.require_binary(harness.redis_binary("redis-server"), "redis-server")
        self.master = spawn.redis_server()
        self.replicas = [spawn.redis_server(replicaof=["127.0.0.1", self.master.port])
                         for _ in range(2)]
        self.nodes = [self.master] + self.replicas
        self.sentinels = [spawn.vigil_sentinel(sentinel_conf(self.master.port)) for _ in range(3)]

        def discovered():
            return all(int(fields(s)["num-slaves"]) == 2 and
                       int(fields(s)["num-other-sentinels"]) == 2 for s in self.sentinels)
        wait_until(discovered, 30, message="sentinels to discover the replicas and each other")

    def node(self, port):
        return next(n for n in self.nodes if n.port == port)

    def assert_converged(self, timeout=40):
        """One master reported by every sentinel; it is a master and the two other nodes
        replicate from it with their link up. Returns its port."""
        def agreed():
            addrs = {addr_of(s) for s in self.sentinels}
            return len(addrs) == 1 and next(iter(addrs))
        def settled():
            addr = agreed()
            if not addr:
                return False
            port = addr[1]
            if self.node(port).info("replication").get("role") != "master":
                return False
            for n in self.nodes:
                if n.port == port:
                    continue
                r = n.info("replication")
                if r.get("role") != "slave" or r.get("master_port") != str(port) \
                        or r.get("master_link_status") != "up":
                    return False
            return port
        port = wait_until(settled, timeout, interval=0.2, message=(
            "one master for all sentinels with both other nodes following it (sentinels say %s)"
            % [addr_of(s) if s.alive() else None for s in self.sentinels]))
        return port

    def assert_single_votes(self):
        for s in self.sentinels:
            for epoch, leaders in votes(s).items():
                assert len(leaders) == 1, "%r voted for %s in epoch %d" % (s, leaders, epoch)


@pytest.mark.timeout(60)
def test_leader_crashing_after_promotion_resumes_after_restart(spawn):
    g = Group(spawn)
    leader = g.sentinels[0]
    myid = leader.execute("SENTINEL", "MYID")
    assert leader.call("SENTINEL", "SIMULATE-FAILURE", "crash-after-promotion") == b"+OK\r\n"
    events = [EventLog(s.port) for s in g.sentinels]
    try:
        wait_until(lambda: leader.call("SENTINEL", "FAILOVER", "mymaster") == b"+OK\r\n", 20)
        promoted = events[0].wait("+promoted-slave", r"slave 127\.0\.0\.1:\d+ .*")
        promoted_port = int(promoted.split()[3])
        wait_until(lambda: not leader.alive(), 10, message="the leader to crash")
        assert leader.returncode == 99
        assert "Sentinel is simulating a failure: crash-after-promotion" in leader.log_text()
        # What the leader saved before dying: the promotion (config epoch = failover epoch).
        epoch = conf_number(leader, r"^sentinel current-epoch (\d+)$")
        assert epoch >= 1
        assert conf_number(leader, r"^sentinel config-epoch mymaster (\d+)$") == epoch
        assert conf_number(leader, r"^sentinel leader-epoch mymaster (\d+)$") == epoch
        for e in events[1:]:
            assert e.find("+switch-master") is None   # nobody else knows yet
    finally:
        for e in events:
            e.close()

    leader.start()
    assert leader.execute("SENTINEL", "MYID") == myid
    assert int(fields(leader)["config-epoch"]) == epoch
    port = g.assert_converged()
    assert port == promoted_port, "the promotion the leader saved is the one that stands"
    assert conf_number(leader, r"^sentinel current-epoch (\d+)$") >= epoch
    for s in g.sentinels:
        assert int(fields(s)["config-epoch"]) == epoch
    g.assert_single_votes()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("stop_at", ["+selected-slave", "+promoted-slave"])
def test_leader_killed_mid_failover_restarts_from_its_state(spawn, stop_at):
    g = Group(spawn)
    ids = [s.execute("SENTINEL", "MYID") for s in g.sentinels]
    killed = []
    lock = threading.Lock()

    def killer(sentinel):
        def on_event(channel, message):
            if channel != stop_at:
                return
            with lock:
                if killed:
                    return
                os.kill(sentinel.pid, signal.SIGKILL)   # this very moment
                killed.append(sentinel)
        return on_event

    events = [EventLog(s.port, on_event=killer(s)) for s in g.sentinels]
    try:
        g.master.kill9()
        wait_until(lambda: killed, 30, message="a leader to publish %s" % stop_at)
    finally:
        for e in events:
            e.close()
    leader = killed[0]
    leader.kill9()   # reap it
    i = g.sentinels.index(leader)
    voted_before = votes(leader)
    assert voted_before, "the leader voted for itself before acting"
    leader_epoch = max(voted_before)

    leader.start()
    assert leader.execute("SENTINEL", "MYID") == ids[i]
    assert conf_number(leader, r"^sentinel current-epoch (\d+)$") >= leader_epoch
    assert conf_number(leader, r"^sentinel leader-epoch mymaster (\d+)$") >= leader_epoch

    # The old master comes back after a while: it must end up a replica too.
    def converged_without_old_master():
        addrs = {addr_of(s) for s in g.sentinels}
        return len(addrs) == 1 and next(iter(addrs))[1] != g.master.port
    wait_until(converged_without_old_master, 40, interval=0.2,
               message="all sentinels to report one new master (say %s)"
               % [addr_of(s) for s in g.sentinels])
    g.master.start()
    port = g.assert_converged()
    assert port in [r.port for r in g.replicas]
    epochs = {int(fields(s)["config-epoch"]) for s in g.sentinels}
    assert len(epochs) == 1 and epochs.pop() >= leader_epoch
    g.assert_single_votes()
