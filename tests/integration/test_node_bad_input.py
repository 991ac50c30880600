"""Bad input never crashes, hangs or bloats a data node. Each case sends hostile bytes on
one connection and then checks that the process is alive, that a second client is still
served (SET/GET round trip, and the data written before is intact), and that the RSS
(VmRSS from /proc) stayed bounded. Runs against redis-server (the spec: the exact
"-ERR Protocol error: ..." bytes come from it) and vigil-node via the data_node fixture."""
import random
import socket
import time

import pytest

import harness

RSS_SLACK_KB = 64 * 1024  # growth allowed over the idle RSS during a hostile case


@pytest.fixture
def node(data_node):
    data_node.execute("SET", "sentinel-key", "intact")
    data_node.baseline_rss_kb = data_node.rss_kb()
    return data_node


def assert_healthy(node, peak_rss_kb=None):
    assert node.alive(), "server died; log tail:\n" + node.log_tail()
    with node.client(timeout=5) as c:
        assert c.call("SET", "probe", "ok") == b"+OK\r\n"
        assert c.call("GET", "probe") == b"$2\r\nok\r\n"
        assert c.call("GET", "sentinel-key") == b"$6\r\nintact\r\n"
    rss = max(node.rss_kb(), peak_rss_kb or 0)
    assert rss < node.baseline_rss_kb + RSS_SLACK_KB, (
        "RSS grew from %d KiB to %d KiB" % (node.baseline_rss_kb, rss))


def connect(node, timeout=5.0):
    s = socket.create_connection(("127.0.0.1", node.port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_until_closed(s, timeout=5.0):
    """Everything the server sends until it closes (or timeout). Returns (data, closed)."""
    deadline = time.monotonic() + timeout
    data = b""
    while time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return data, False
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


def stream_until_refused(s, prefix, chunk, limit):
    """Send prefix, then chunk repeatedly up to limit bytes or until the server stops the
    connection. Returns the number of bytes the kernel accepted."""
    sent = 0
    try:
        s.sendall(prefix)
        while sent < limit:
            s.sendall(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    return sent


TRUNCATED = [
    b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhel",
    b"*3\r\n$3\r\nSET\r\n$1\r\nk",
    b"*3\r\n$3\r\nSET\r\n",
    b"*3\r\n$",
    b"*3",
    b"*",
    b"SET k half-an-inline-command",
    b'SET k "unterminated',
]


def test_truncated_frames_then_disconnect(node):
    for frame in TRUNCATED:
        s = connect(node)
        s.sendall(frame)
        s.close()
    time.sleep(0.1)
    assert node.execute("EXISTS", "k") == 0  # no partial command was executed
    assert_healthy(node)


# (request, exact reply bytes from redis-server 7.0, connection closed afterwards)
MALFORMED = [
    (b"*-5\r\n*1\r\n$4\r\nPING\r\n", b"+PONG\r\n", False),
    (b"*0\r\n*1\r\n$4\r\nPING\r\n", b"+PONG\r\n", False),
    (b"*1\r\n$-7\r\n", b"-ERR Protocol error: invalid bulk length\r\n", True),
    (b"*1\r\n$-1\r\n", b"-ERR Protocol error: invalid bulk length\r\n", True),
    (b"*99999999999\r\n", b"-ERR Protocol error: invalid multibulk length\r\n", True),
    (b"*1\r\n$600000000\r\n", b"-ERR Protocol error: invalid bulk length\r\n", True),
    (b"*1\r\n$9223372036854775808\r\n", b"-ERR Protocol error: invalid bulk length\r\n", True),
    (b"*-9223372036854775809\r\n", b"-ERR Protocol error: invalid multibulk length\r\n", True),
    (b"*x\r\n", b"-ERR Protocol error: invalid multibulk length\r\n", True),
    (b"*1\r\n:1\r\n", b"-ERR Protocol error: expected '$', got ':'\r\n", True),
    # Redis skips the two bytes after a bulk payload without checking they are CRLF
    (b"*2\r\n$3\r\nGET\r\n$1\r\nkXX*1\r\n$4\r\nPING\r\n", b"$-1\r\n+PONG\r\n", False),
    (b'ECHO "a"b\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n", True),
    (b"$-7\r\n", b"-ERR unknown command '$-7', with args beginning with: \r\n", False),
]


@pytest.mark.parametrize("request_bytes,reply,closes", MALFORMED,
                         ids=[repr(m[0])[:40] for m in MALFORMED])
def test_malformed_lengths_and_types(node, request_bytes, reply, closes):
    s = connect(node)
    s.sendall(request_bytes)
    if closes:
        data, closed = read_until_closed(s, timeout=5)
        assert (data, closed) == (reply, True)
    else:
        s.settimeout(5)
        data = b""
        while len(data) < len(reply):
            chunk = s.recv(4096)
            assert chunk, "server closed the connection"
            data += chunk
        assert data == reply
    s.close()
    assert_healthy(node)


def test_binary_garbage(node):
    rng = random.Random(20261122)  # fixed seed: a failure is reproducible
    for _ in range(8):
        s = connect(node)
        try:
            for _ in range(4):
                s.sendall(bytes(rng.getrandbits(8) for _ in range(64 * 1024)))
        except (BrokenPipeError, ConnectionResetError):
            pass
        read_until_closed(s, timeout=0.5)
        s.close()
    assert_healthy(node)


@pytest.mark.parametrize("prefix,error", [
    (b"", b"-ERR Protocol error: too big inline request\r\n"),
    (b"*", b"-ERR Protocol error: too big mbulk count string\r\n"),
    (b"*1\r\n$", b"-ERR Protocol error: too big bulk count string\r\n"),
], ids=["inline", "multibulk-count", "bulk-count"])
def test_endless_line_is_cut_at_64k(node, prefix, error):
    """100 MB without a newline: the server must give up after 64 KB (+ socket buffers),
    not buffer 100 MB."""
    s = connect(node, timeout=10)
    sent = stream_until_refused(s, prefix, b"1" * 65536, 100 * 1024 * 1024)
    assert sent < 32 * 1024 * 1024, "server kept reading %d bytes of one line" % sent
    data, closed = read_until_closed(s, timeout=5)
    assert closed
    assert data in (error, b"")  # the reply may be lost to the RST of unread data
    s.close()
    assert_healthy(node)


def test_slow_drip_still_gets_the_right_reply(node):
    s = connect(node)
    request = harness.encode_command("SET", "drip", "slow value") + b"GET drip\r\n"
    for i in range(len(request)):
        s.sendall(request[i:i + 1])
        time.sleep(0.003)
    expected = b"+OK\r\n$10\r\nslow value\r\n"
    data = b""
    s.settimeout(5)
    while len(data) < len(expected):
        chunk = s.recv(4096)
        assert chunk
        data += chunk
    assert data == expected
    s.close()
    assert_healthy(node)


@pytest.mark.timeout(90)
def test_pipeline_never_read_default_limits(node):
    """A client pipelines GETs of a 100 KB value and never reads. Redis's defaults don't
    limit normal clients' output, so the server must at least stay alive and serve others
    while ~40 MB of replies pile up, and free the memory when the client goes away."""
    node.execute("SET", "big", "x" * 100000)
    s = connect(node, timeout=1)
    batch = harness.encode_command("GET", "big") * 100
    sent = 0
    try:
        for _ in range(4):  # 400 GETs -> 40 MB of replies, bounded on purpose
            s.sendall(batch)
            sent += 1
    except (socket.timeout, BrokenPipeError, ConnectionResetError):
        pass
    time.sleep(0.5)
    with node.client() as other:
        assert other.call("PING") == b"+PONG\r\n"
    s.close()
    harness.wait_until(lambda: node.rss_kb() < node.baseline_rss_kb + RSS_SLACK_KB,
                       timeout=10, message="RSS to come back after the client left")
    assert_healthy(node)


@pytest.mark.timeout(90)
def test_pipeline_never_read_hits_output_buffer_limit(spawn, data_node_kind):
    """With client-output-buffer-limit normal 16mb 8mb 10 the reader-less client is
    disconnected and the server stays bounded however much it sends."""
    start = spawn.redis_server if data_node_kind == "redis-server" else spawn.vigil_node
    node = start(client_output_buffer_limit=["normal", "16mb", "8mb", "10"])
    node.execute("SET", "sentinel-key", "intact")
    node.execute("SET", "big", "x" * 100000)
    node.baseline_rss_kb = node.rss_kb()
    s = connect(node, timeout=2)
    batch = harness.encode_command("GET", "big") * 1000
    peak = 0
    closed = False
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            s.sendall(batch)
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        except socket.timeout:
            pass  # the server stopped reading: fine, keep checking it is bounded
        peak = max(peak, node.rss_kb())
    if not closed:
        _, closed = read_until_closed(s, timeout=5)
    assert closed, "client over the output buffer limit was not disconnected"
    s.close()
    assert_healthy(node, peak)


@pytest.fixture(params=["redis-server", "vigil-node"])
def data_node_kind(request):
    if request.param == "vigil-node":
        harness.require_binary(harness.vigil_binary("vigil-node"), "vigil-node")
    return request.param


@pytest.mark.timeout(90)
def test_query_buffer_limit_disconnects_huge_argument(spawn, data_node_kind):
    """A 400 MB bulk argument (below proto-max-bulk-len) with client-query-buffer-limit
    4mb: the server closes the connection instead of buffering it."""
    start = spawn.redis_server if data_node_kind == "redis-server" else spawn.vigil_node
    node = start(client_query_buffer_limit="4mb")
    node.execute("SET", "sentinel-key", "intact")
    node.baseline_rss_kb = node.rss_kb()
    s = connect(node, timeout=10)
    sent = stream_until_refused(s, b"*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$400000000\r\n",
                                b"z" * 65536, 400000000)
    assert sent < 64 * 1024 * 1024, "server buffered %d bytes of one argument" % sent
    s.close()
    assert node.execute("EXISTS", "q") == 0
    assert_healthy(node)


def test_many_abrupt_connections(node):
    for i in range(300):
        s = connect(node)
        if i % 3 == 0:
            s.sendall(b"*2\r\n$3\r\nGET\r\n")
        elif i % 3 == 1:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()  # with SO_LINGER 0 this is a RST
    time.sleep(0.2)
    assert_healthy(node)
    clients = node.execute("CLIENT", "LIST").count(b"\n")
    assert clients <= 3, "closed connections still listed: %d" % clients
