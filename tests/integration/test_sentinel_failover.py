"""End-to-end failover with real processes: 3 vigil-sentinels supervising a master and two
replicas (Debian's redis-server now; vigil-node once it supports REPLICAOF), on free ports,
with short timings (down-after 1000 ms) so each scenario stays within seconds.

What is checked is what clients depend on: the exact event messages on the sentinels'
pub/sub (+sdown, +odown, +switch-master, +convert-to-slave), GET-MASTER-ADDR-BY-NAME on
every sentinel, and the real roles of the data nodes afterwards."""
import pytest

import harness
from harness import EventLog, wait_until

DOWN_AFTER = 1000
FAILOVER_TIMEOUT = 10000


NODE_KINDS = ["redis-server", "vigil-node"]


def require_replicating_vigil_node(spawn):
    """Skips (with the reason) until vigil-node is built and answers REPLICAOF."""
    harness.require_binary(harness.vigil_binary("vigil-node"), "vigil-node")
    probe = spawn.vigil_node()
    reply = probe.call("REPLICAOF", "NO", "ONE")
    probe.stop()
    if not reply.startswith(b"+OK"):
        pytest.skip("vigil-node does not support REPLICAOF yet (%r)" % reply[:80])


def wait_any(logs, channel, pattern=None, timeout=30):
    """The first of several sentinels to publish the event (only the sentinel that acts
    publishes e.g. +convert-to-slave)."""
    def seen():
        for log in logs:
            found = log.find(channel, pattern)
            if found:
                return found
        return None
    return wait_until(seen, timeout, message="event %s %s on any sentinel (seen: %s)"
                      % (channel, pattern or "", [log.channels() for log in logs]))


def sentinel_conf(master_port, quorum=2, extra=""):
    return ("sentinel monitor mymaster 127.0.0.1 %d %d\n"
            "sentinel down-after-milliseconds mymaster %d\n"
            "sentinel failover-timeout mymaster %d\n%s"
            % (master_port, quorum, DOWN_AFTER, FAILOVER_TIMEOUT, extra))


def master_fields(sentinel):
    raw = sentinel.execute("SENTINEL", "MASTER", "mymaster")
    assert not isinstance(raw, harness.ReplyError), raw
    return {raw[i].decode(): raw[i + 1].decode() for i in range(0, len(raw), 2)}


def addr_of(sentinel):
    reply = sentinel.execute("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
    return (reply[0].decode(), int(reply[1])) if reply else None


class Stack:
    """master + 2 replicas + N sentinels, all started through the per-test spawner."""

    def __init__(self, spawn, node_kind="redis-server", sentinels=3, quorum=2):
        start_node = spawn.redis_server if node_kind == "redis-server" else spawn.vigil_node
        self.spawn = spawn
        self.master = start_node()
        self.replicas = [start_node(replicaof=["127.0.0.1", self.master.port]) for _ in range(2)]
        self.nodes = [self.master] + self.replicas
        self.quorum = quorum
        self.sentinels = [spawn.vigil_sentinel(sentinel_conf(self.master.port, quorum))
                          for _ in range(sentinels)]

    def node(self, port):
        return next(n for n in self.nodes if n.port == port)

    def wait_converged(self, timeout=30):
        """Every sentinel knows both replicas and every other sentinel."""
        others = len(self.sentinels) - 1

        def ok():
            for s in self.sentinels:
                f = master_fields(s)
                if int(f["num-slaves"]) < 2 or int(f["num-other-sentinels"]) < others:
                    return False
            return True
        wait_until(ok, timeout, message="sentinels to discover replicas and each other")

    def wait_all_agree(self, port, timeout=30):
        wait_until(lambda: all(addr_of(s) == ("127.0.0.1", port) for s in self.sentinels),
                   timeout, message="all sentinels to report master port %d" % port)


def role(node):
    return node.info("replication")


@pytest.fixture(params=NODE_KINDS)
def stack(request, spawn):
    if request.param == "vigil-node":
        require_replicating_vigil_node(spawn)
    s = Stack(spawn, node_kind=request.param)
    s.wait_converged()
    return s


@pytest.mark.timeout(90)
def test_kill9_master_fails_over_with_exact_events(stack):
    logs = [EventLog(s.port) for s in stack.sentinels]
    events = logs[0]
    try:
        old = stack.master.port
        stack.master.kill9()
        # A sentinel that learns the new configuration from the leader quickly may skip its
        # own +sdown/+odown (as with Redis): look for them on any sentinel.
        sdown = wait_any(logs, "+sdown", r"master mymaster 127\.0\.0\.1 %d" % old)
        assert sdown == "master mymaster 127.0.0.1 %d" % old
        wait_any(logs, "+odown", r"master mymaster 127\.0\.0\.1 %d #quorum \d/2" % old)
        switch = events.wait("+switch-master", r"mymaster 127\.0\.0\.1 %d 127\.0\.0\.1 \d+" % old)
        new_port = int(switch.split()[4])
        assert new_port in [r.port for r in stack.replicas]
        stack.wait_all_agree(new_port)

        promoted = stack.node(new_port)
        other = next(r for r in stack.replicas if r.port != new_port)
        wait_until(lambda: role(promoted)["role"] == "master", 10)
        wait_until(lambda: role(other).get("master_port") == str(new_port)
                   and role(other).get("master_link_status") == "up", 30,
                   message="the other replica to follow the promoted one")

        # The old master comes back (same port, empty data) and is turned into a replica.
        stack.master.start()
        wait_any(logs, "+convert-to-slave",
                 r"slave 127\.0\.0\.1:%d 127\.0\.0\.1 %d @ mymaster 127\.0\.0\.1 %d"
                 % (old, old, new_port), timeout=40)
        wait_until(lambda: role(stack.master).get("master_port") == str(new_port), 20)
        # Every sentinel still agrees.
        stack.wait_all_agree(new_port)
    finally:
        for log in logs:
            log.close()


@pytest.mark.timeout(60)
def test_manual_failover_command(stack):
    events = EventLog(stack.sentinels[1].port)
    try:
        old = stack.master.port
        assert stack.sentinels[0].call("SENTINEL", "FAILOVER", "mymaster") == b"+OK\r\n"
        switch = events.wait("+switch-master", r"mymaster 127\.0\.0\.1 %d 127\.0\.0\.1 \d+" % old)
        new_port = int(switch.split()[4])
        stack.wait_all_agree(new_port)
        wait_until(lambda: role(stack.node(new_port))["role"] == "master", 10)
        wait_until(lambda: role(stack.master).get("master_port") == str(new_port), 30,
                   message="old master to replicate from the promoted replica")
        # A second request while nothing is in progress is accepted again later; one in
        # progress is refused with Redis's error.
    finally:
        events.close()


@pytest.mark.timeout(60)
def test_restarted_sentinel_keeps_id_and_epoch(stack):
    s = stack.sentinels[0]
    myid = s.execute("SENTINEL", "MYID")
    assert stack.sentinels[0].call("SENTINEL", "FAILOVER", "mymaster") == b"+OK\r\n"
    wait_until(lambda: addr_of(s)[1] != stack.master.port, 30)
    epoch = int(master_fields(s)["config-epoch"])
    assert epoch >= 1
    new_addr = addr_of(s)
    s.restart()
    assert s.execute("SENTINEL", "MYID") == myid
    f = master_fields(s)
    assert int(f["config-epoch"]) == epoch
    assert addr_of(s) == new_addr
    assert s.info("sentinel")["master0"].startswith("name=mymaster,status=ok,address=127.0.0.1:%d"
                                                   % new_addr[1])
    # The state lines were rewritten into its sentinel.conf, user lines kept.
    conf = open(s.conf_path).read()
    assert "sentinel myid %s" % myid.decode() in conf
    assert "port %d" % s.port in conf
    assert "sentinel current-epoch" in conf


@pytest.mark.timeout(60)
def test_fourth_sentinel_is_discovered_through_hello(stack, spawn):
    fourth = spawn.vigil_sentinel(sentinel_conf(stack.master.port))
    fourth_id = fourth.execute("SENTINEL", "MYID")
    wait_until(lambda: int(master_fields(stack.sentinels[0])["num-other-sentinels"]) == 3, 20)
    peers = stack.sentinels[0].execute("SENTINEL", "SENTINELS", "mymaster")
    names = [dict(zip(p[0::2], p[1::2]))[b"runid"] for p in peers]
    assert fourth_id in names
    wait_until(lambda: int(master_fields(fourth)["num-other-sentinels"]) == 3, 20)
    assert stack.sentinels[0].call("SENTINEL", "CKQUORUM", "mymaster").startswith(
        b"+OK 4 usable Sentinels. Quorum and failover authorization can be reached")


@pytest.mark.timeout(60)
def test_reset_forgets_and_rediscovers(stack):
    s = stack.sentinels[0]
    assert s.execute("SENTINEL", "RESET", "mymaster") == 1
    assert s.execute("SENTINEL", "RESET", "nomatch*") == 0
    # Replicas come back from the master's INFO, sentinels from their hellos.
    wait_until(lambda: int(master_fields(s)["num-slaves"]) == 2
               and int(master_fields(s)["num-other-sentinels"]) == 2, 30)


@pytest.mark.timeout(90)
def test_sigstop_master_longer_than_down_after_fails_over(stack):
    events = EventLog(stack.sentinels[2].port)
    try:
        old = stack.master.port
        stack.master.sigstop()
        switch = events.wait("+switch-master", r"mymaster 127\.0\.0\.1 %d 127\.0\.0\.1 \d+" % old)
        new_port = int(switch.split()[4])
        stack.wait_all_agree(new_port)
        stack.master.sigcont()
        # The resumed old master still believes it is a master: sentinels demote it.
        wait_until(lambda: role(stack.master).get("role") == "slave"
                   and role(stack.master).get("master_port") == str(new_port), 40,
                   message="resumed old master to be demoted")
    finally:
        events.close()
