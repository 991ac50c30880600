"""vigil-node full syncs without stalling the master: the snapshot is written by a fork
child (diskless into a pipe the master relays, or into dump.rdb then streamed), replicas
share a child, a replica or a child dying mid-sync fails only that sync. Real processes
on loopback; repl-diskless-sync-delay is 0 (the harness default) except where tested."""
import os
import re
import signal
import socket
import threading
import time

import pytest
import redis

from harness import wait_until


def r(proc, db=0):
    return redis.Redis(port=proc.port, db=db, socket_timeout=30)


def wait_link_up(replica, timeout=60):
    wait_until(lambda: replica.info("replication").get("master_link_status") == "up", timeout,
               message="replica link up")


def populate(client, n, value_size=100):
    """n string keys with incompressible values, sent as pipelined MSETs."""
    pipe = client.pipeline(transaction=False)
    batch = 2000
    for start in range(0, n, batch):
        blob = os.urandom(value_size * batch)
        args = []
        for i in range(start, min(n, start + batch)):
            off = (i - start) * value_size
            args += ["key:%d" % i, blob[off:off + value_size]]
        pipe.execute_command("MSET", *args)
        if len(pipe) >= 20:
            pipe.execute()
    pipe.execute()


class PingProbe:
    """Pings a server every few milliseconds from a thread and keeps the worst latency."""

    def __init__(self, port):
        self.client = redis.Redis(port=port, socket_timeout=10)
        self.worst = 0.0
        self.count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            t0 = time.monotonic()
            self.client.ping()
            self.worst = max(self.worst, time.monotonic() - t0)
            self.count += 1
            time.sleep(0.005)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(15)


def child_pids(proc):
    with open("/proc/%d/task/%d/children" % (proc.pid, proc.pid)) as f:
        return [int(p) for p in f.read().split()]


def catch_child(proc, timeout=10):
    """The master's fork child, polled without pause (a disk save may be quick)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = child_pids(proc)
        if pids:
            return pids[0]
    raise AssertionError("no fork child appeared")


class FakeReplica:
    """A raw replica connection: REPLCONF capa eof psync2, PSYNC ? -1, then reads at will."""

    def __init__(self, master):
        self.sock = socket.create_connection(("127.0.0.1", master.port), timeout=10)
        self.buf = b""
        for cmd in ([b"REPLCONF", b"listening-port", b"1"], [b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"]):
            self.send(*cmd)
            assert self.line() == b"+OK"

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)

    def fill(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("closed by the master")
            self.buf += chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill(len(self.buf) + 1)
        head, self.buf = self.buf.split(b"\r\n", 1)
        return head

    def reply_line(self):
        """The next line, skipping the master's keepalive newlines."""
        line = self.line().lstrip(b"\n")
        while line == b"":
            line = self.line().lstrip(b"\n")
        return line

    def psync(self):
        self.send(b"PSYNC", b"?", b"-1")
        return self.reply_line()

    def close(self):
        self.sock.close()


@pytest.mark.timeout(180)
@pytest.mark.parametrize("diskless", [True, False], ids=["diskless", "disk"])
def test_master_answers_ping_promptly_while_a_replica_full_syncs(spawn, diskless):
    # 400k keys: the old in-loop snapshot held the loop for 0.3 s to seconds.
    master = spawn.vigil_node(repl_diskless_sync=diskless)
    populate(r(master), 400_000)
    # A loop stall shows in every attempt; a busy CI machine descheduling a
    # process now and then does not, so up to three full syncs are measured.
    worst = []
    for attempt in range(3):
        with PingProbe(master.port) as probe:
            time.sleep(0.05)
            replica = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
            wait_link_up(replica)
        assert probe.count > 5
        worst.append(probe.worst)
        if probe.worst < 0.1:
            break
        replica.stop()
    assert min(worst) < 0.1, "worst PING per full sync: %s ms" % [round(w * 1000) for w in worst]
    assert r(replica).dbsize() == 400_000
    assert r(replica).get("key:123") == r(master).get("key:123")
    log = master.log_text()
    if diskless:
        assert "Starting BGSAVE for SYNC with target: replicas sockets" in log
    else:
        assert "Starting BGSAVE for SYNC with target: disk" in log
        assert os.path.exists(os.path.join(master.workdir, "dump.rdb"))
    # Writes made during and after the sync reach the replica.
    r(master).set("after", "sync")
    wait_until(lambda: r(replica).get("after") == b"sync", 10)


def test_diskless_replicas_share_one_child(spawn):
    # A long delay, but max-replicas 2: the second replica starts the fork at once.
    master = spawn.vigil_node(repl_diskless_sync_delay=30, repl_diskless_sync_max_replicas=2)
    populate(r(master), 20_000)
    a = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
    wait_until(lambda: "state=wait_bgsave" in master.info("replication").get("slave0", ""), 10)
    assert master.info("persistence")["rdb_bgsave_in_progress"] == "0"  # waiting for more replicas
    b = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
    wait_link_up(a, 20)
    wait_link_up(b, 20)
    assert master.log_text().count("Background RDB transfer started by pid") == 1
    assert int(master.info("stats")["sync_full"]) == 2
    r(master).set("k", "v")
    for x in (a, b):
        wait_until(lambda: r(x).get("k") == b"v", 10)
        assert r(x).dbsize() == 20_001
    info = master.info("replication")
    assert info["connected_slaves"] == "2"
    assert "state=online" in info["slave0"] and "state=online" in info["slave1"]


def test_diskless_delay_waits_for_more_replicas(spawn):
    master = spawn.vigil_node(repl_diskless_sync_delay=1)
    r(master).set("k", "v")
    t0 = time.monotonic()
    replica = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
    wait_until(lambda: "slave0" in master.info("replication"), 10)
    assert "state=wait_bgsave" in master.info("replication")["slave0"]
    wait_link_up(replica, 20)
    assert time.monotonic() - t0 >= 0.9
    assert r(replica).get("k") == b"v"


@pytest.mark.parametrize("diskless", [True, False], ids=["diskless", "disk"])
def test_full_sync_framing_and_stream_after_the_rdb(spawn, diskless):
    master = spawn.vigil_node(repl_diskless_sync=diskless)
    r(master).set("k", "v")
    fake = FakeReplica(master)
    try:
        head = fake.psync()
        m = re.match(rb"\+FULLRESYNC ([0-9a-f]{40}) (\d+)$", head)
        assert m, head
        bulk = fake.reply_line()
        if diskless:
            assert bulk.startswith(b"$EOF:") and len(bulk) == 45, bulk
            mark = bulk[5:]
            while not fake.buf.endswith(mark):
                fake.fill(len(fake.buf) + 1)
            rdb = fake.buf[:-40]
        else:
            size = int(bulk[1:])
            fake.fill(size)
            rdb = fake.buf[:size]
        fake.buf = fake.buf[len(rdb) + (40 if diskless else 0):]
        assert rdb.startswith(b"REDIS0010") and b"repl-id" in rdb
        r(master).set("k2", "v2")
        if diskless:
            # The stream waits for the replica's first ACK.
            time.sleep(0.3)
            fake.sock.settimeout(0.2)
            with pytest.raises(socket.timeout):
                fake.fill(len(fake.buf) + 1)
            fake.sock.settimeout(10)
            fake.send(b"REPLCONF", b"ACK", m.group(2))
        fake.fill(len(fake.buf) + 1)
        while b"v2" not in fake.buf:
            fake.fill(len(fake.buf) + 1)
        # The stream (maybe after a PING) selects the db before the first write.
        select = fake.buf.find(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n")
        assert 0 <= select < fake.buf.lower().find(b"$3\r\nset\r\n$2\r\nk2\r\n$2\r\nv2\r\n"), fake.buf
    finally:
        fake.close()


def test_replica_dropped_mid_sync_leaves_the_others_and_the_master_alone(spawn):
    # The fake replica and a real one share a diskless child; the fake one stops
    # reading, then goes away. The real one completes, the master keeps serving.
    master = spawn.vigil_node(repl_diskless_sync_delay=30, repl_diskless_sync_max_replicas=2)
    populate(r(master), 150_000)
    fake = FakeReplica(master)
    fake.send(b"PSYNC", b"?", b"-1")
    replica = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
    fake.fill(64 * 1024)  # the transfer is under way (and paced by this slow reader)
    time.sleep(0.3)
    assert master.info("persistence")["rdb_bgsave_in_progress"] == "1"
    assert master.execute("PING") == b"PONG"
    fake.close()
    wait_link_up(replica, 30)
    assert r(replica).dbsize() == 150_000
    wait_until(lambda: master.info("replication")["connected_slaves"] == "1", 10)

    # The last replica of a diskless child going away kills the child.
    r(master).config_set("repl-diskless-sync-delay", 0)
    lone = FakeReplica(master)
    lone.send(b"PSYNC", b"?", b"-1")
    lone.fill(64 * 1024)
    lone.close()
    wait_until(lambda: master.info("persistence")["rdb_bgsave_in_progress"] == "0", 10)
    assert "last replica dropped, killing fork child" in master.log_text()
    r(master).set("still", "fine")
    wait_until(lambda: r(replica).get("still") == b"fine", 10)


@pytest.mark.parametrize("diskless", [True, False], ids=["diskless", "disk"])
def test_killed_child_fails_the_sync_and_the_replica_retries(spawn, diskless):
    master = spawn.vigil_node(repl_diskless_sync=diskless)
    populate(r(master), 150_000)
    # A fake replica that does not read keeps a diskless child blocked on its pipe;
    # for disk-based sync, SIGSTOP on the child holds it instead.
    fake = FakeReplica(master)
    fake.send(b"PSYNC", b"?", b"-1")
    child = catch_child(master)
    if not diskless:
        os.kill(child, signal.SIGSTOP)
    assert master.info("persistence")["rdb_bgsave_in_progress"] == "1"
    assert "state=wait_bgsave" in master.info("replication")["slave0"]
    os.kill(child, signal.SIGKILL)
    wait_until(lambda: master.info("persistence")["rdb_bgsave_in_progress"] == "0", 10)
    # The fake replica's connection is closed (after whatever was sent).
    fake.sock.settimeout(10)
    with pytest.raises(ConnectionError):
        while True:
            fake.fill(len(fake.buf) + (1 << 20))
    fake.close()
    assert "SYNC failed. BGSAVE child returned an error" in master.log_text()
    # A real replica syncs fine afterwards.
    replica = spawn.vigil_node(replicaof=["127.0.0.1", master.port])
    wait_link_up(replica, 30)
    assert r(replica).dbsize() == 150_000


def test_stream_buffered_during_sync_obeys_the_replica_output_limit(spawn):
    master = spawn.vigil_node()
    r(master).config_set("client-output-buffer-limit", "replica 4mb 0 0")
    r(master).set("k", "v")
    fake = FakeReplica(master)  # never reads after +FULLRESYNC, never ACKs
    assert fake.psync().startswith(b"+FULLRESYNC")
    wait_until(lambda: master.info("replication").get("connected_slaves") == "1", 10)
    big = b"x" * (512 * 1024)
    for i in range(12):
        r(master).set("big:%d" % i, big)
    wait_until(lambda: master.info("replication")["connected_slaves"] == "0", 10)
    assert "overcoming of output buffer limits" in master.log_text()
    fake.close()
    assert r(master).dbsize() == 13


def read_disk_rdb(fake):
    """After +FULLRESYNC: the `$<len>` bulk of a disk-based sync."""
    bulk = fake.reply_line()
    assert bulk.startswith(b"$") and not bulk.startswith(b"$EOF:"), bulk
    size = int(bulk[1:])
    fake.fill(size)
    rdb, fake.buf = fake.buf[:size], fake.buf[size:]
    assert rdb.startswith(b"REDIS0010")
    return rdb


def test_disk_sync_shares_a_running_replication_bgsave(spawn):
    master = spawn.vigil_node(repl_diskless_sync=False)
    populate(r(master), 50_000)
    first = FakeReplica(master)
    first.send(b"PSYNC", b"?", b"-1")
    child = catch_child(master)
    os.kill(child, signal.SIGSTOP)  # hold the BGSAVE while a second replica arrives
    try:
        head1 = first.reply_line()
        r(master).set("during", "bgsave")  # buffered for both from the fork's offset on
        second = FakeReplica(master)
        head2 = second.psync()
        assert head1 == head2 and head1.startswith(b"+FULLRESYNC"), (head1, head2)
        assert "Waiting for end of BGSAVE for SYNC" in master.log_text()
    finally:
        os.kill(child, signal.SIGCONT)
    for fake in (first, second):
        assert read_disk_rdb(fake)
        while b"during" not in fake.buf:
            fake.fill(len(fake.buf) + 1)
        fake.close()
    assert master.log_text().count("Background saving started by pid") == 1


def test_a_user_bgsave_in_progress_delays_the_sync(spawn):
    master = spawn.vigil_node()
    populate(r(master), 50_000)
    assert r(master).bgsave()
    child = catch_child(master)
    os.kill(child, signal.SIGSTOP)
    try:
        fake = FakeReplica(master)
        fake.send(b"PSYNC", b"?", b"-1")
        wait_until(lambda: "state=wait_bgsave" in master.info("replication").get("slave0", ""), 10)
        time.sleep(0.3)
        assert "Can't attach the replica to the current BGSAVE" in master.log_text()
        assert "Background RDB transfer started" not in master.log_text()
    finally:
        os.kill(child, signal.SIGCONT)
    # After the BGSAVE, the replica's own (diskless) sync starts.
    assert fake.reply_line().startswith(b"+FULLRESYNC")
    assert fake.reply_line().startswith(b"$EOF:")
    fake.close()
