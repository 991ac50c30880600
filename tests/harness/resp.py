"""A raw RESP client for byte-level checks: it sends exactly the bytes you give it and
returns each reply as the exact bytes the server sent (RESP2 and RESP3), so tests can
compare servers byte for byte. `parse_reply` turns those bytes into a small tree when a
test needs to look inside (sort unordered elements, read an integer, ...).
"""
import socket
import time


class Incomplete(Exception):
    """The buffer ends before the reply does."""


class ProtocolViolation(Exception):
    """The server sent something that is not RESP."""


class Reply:
    """One parsed reply. kind is the RESP type byte as a str ('+', '-', ':', '$', '*', '%',
    '~', '>', '_', ',', '#', '(', '=', '!', '|'); raw is the exact bytes of this reply;
    value is bytes for strings/errors/doubles/bignums, int for integers, None for nulls;
    children holds the elements of aggregates (maps: key, value, key, value ...)."""

    __slots__ = ("kind", "raw", "value", "children", "attributes")

    def __init__(self, kind, raw, value=None, children=None, attributes=None):
        self.kind, self.raw, self.value = kind, raw, value
        self.children, self.attributes = children, attributes

    def is_error(self):
        return self.kind in ("-", "!")

    def to_python(self):
        """Plain Python value: bytes, int, None, list, or ReplyError for errors."""
        if self.kind in ("-", "!"):
            return ReplyError(self.value)
        if self.children is not None:
            items = [c.to_python() for c in self.children]
            if self.kind == "%":
                return dict(zip(items[0::2], items[1::2]))
            return items
        if self.kind in (":",):
            return self.value
        if self.kind == "#":
            return self.value == b"t"
        return self.value

    def __repr__(self):
        return "Reply(%r)" % self.raw


class ReplyError(bytes):
    """An error reply's message, distinguishable from a string reply."""


_AGGREGATES = {"*": 1, "~": 1, ">": 1, "%": 2, "|": 2}


def _line(buf, pos):
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise Incomplete()
    return buf[pos:end], end + 2


def parse_reply(buf, pos=0):
    """Parse one reply starting at buf[pos]; return (Reply, next_pos). Raises Incomplete
    when more bytes are needed and ProtocolViolation when the bytes are not RESP."""
    start = pos
    if pos >= len(buf):
        raise Incomplete()
    kind = chr(buf[pos])
    line, pos = _line(buf, pos + 1)
    if kind == "|":  # RESP3 attribute: a map that decorates the reply that follows it
        attrs, pos = _parse_children(buf, pos, line, 2)
        reply, pos = parse_reply(buf, pos)
        reply.attributes = attrs
        reply.raw = buf[start:pos]
        return reply, pos
    if kind in ("+", "-", ","):
        return Reply(kind, buf[start:pos], line), pos
    if kind in (":", "("):
        try:
            value = int(line)
        except ValueError:
            raise ProtocolViolation("bad integer %r" % line)
        return Reply(kind, buf[start:pos], value), pos
    if kind == "#":
        return Reply(kind, buf[start:pos], line), pos
    if kind == "_":
        return Reply(kind, buf[start:pos], None), pos
    if kind in ("$", "!", "="):
        n = _length(line)
        if n < 0:
            return Reply(kind, buf[start:pos], None), pos
        if len(buf) < pos + n + 2:
            raise Incomplete()
        if buf[pos + n:pos + n + 2] != b"\r\n":
            raise ProtocolViolation("bulk not terminated by CRLF")
        return Reply(kind, buf[start:pos + n + 2], buf[pos:pos + n]), pos + n + 2
    if kind in _AGGREGATES:
        children, pos = _parse_children(buf, pos, line, _AGGREGATES[kind])
        if children is None:
            return Reply(kind, buf[start:pos], None), pos
        return Reply(kind, buf[start:pos], None, children), pos
    raise ProtocolViolation("unknown reply type %r in %r" % (kind, buf[start:start + 40]))


def _length(line):
    try:
        return int(line)
    except ValueError:
        raise ProtocolViolation("bad length %r" % line)


def _parse_children(buf, pos, line, per_entry):
    n = _length(line)
    if n < 0:
        return None, pos
    children = []
    for _ in range(n * per_entry):
        child, pos = parse_reply(buf, pos)
        children.append(child)
    return children, pos


def _quote_arg(arg):
    if isinstance(arg, str):
        return arg.encode()
    if isinstance(arg, (int, float)):
        return str(arg).encode()
    return bytes(arg)


def encode_command(*args):
    """Encode arguments (str, bytes, int, float) as a RESP multibulk request."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = _quote_arg(arg)
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


CLOSED = b"<connection closed>"
TIMEOUT = b"<timeout>"


class RawClient:
    """One TCP connection. `call(*args)` sends a command and returns the exact reply bytes;
    `send(raw)` / `read_reply()` give full control. Every read is bounded by `timeout`."""

    def __init__(self, port, host="127.0.0.1", timeout=5.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.closed_by_peer = False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, raw):
        self.sock.sendall(raw)

    def _recv(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout()
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.closed_by_peer = True
        return chunk

    def read_parsed(self, timeout=None):
        """Read one whole reply and return it parsed (Reply). Raises ConnectionError when
        the server closes first and socket.timeout when it stays silent."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                reply, end = parse_reply(self.buf)
                self.buf = self.buf[end:]
                return reply
            except Incomplete:
                pass
            if self.closed_by_peer:
                raise ConnectionError("server closed the connection; unread %r" % self.buf[:200])
            self.buf += self._recv(deadline)

    def read_reply(self, timeout=None):
        """Exact bytes of the next reply; CLOSED if the server closed the connection
        before a whole reply arrived (any partial bytes are appended), TIMEOUT if nothing
        complete arrived in time."""
        try:
            return self.read_parsed(timeout).raw
        except ConnectionError:
            partial, self.buf = self.buf, b""
            return CLOSED + partial
        except socket.timeout:
            return TIMEOUT

    def call(self, *args, timeout=None):
        self.send(encode_command(*args))
        return self.read_reply(timeout)

    def execute(self, *args, timeout=None):
        """Send a command and return the parsed Python value (errors as ReplyError)."""
        self.send(encode_command(*args))
        return self.read_parsed(timeout).to_python()

    def take_unsolicited(self):
        """Bytes that arrived beyond the replies read so far (already buffered, or readable
        right now without waiting): a server that answers one command twice shows up
        here. They are consumed."""
        data, self.buf = self.buf, b""
        self.sock.setblocking(False)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    self.closed_by_peer = True
                    break
                data += chunk
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            pass
        finally:
            self.sock.setblocking(True)
            self.sock.settimeout(self.timeout)
        return data

    def read_until_closed(self, timeout=None, limit=1 << 20):
        """Everything the server sends until it closes the connection (bounded by time and
        size). Returns (bytes, closed: bool)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        data, self.buf = self.buf, b""
        while not self.closed_by_peer and len(data) < limit:
            try:
                data += self._recv(deadline)
            except socket.timeout:
                return data, False
            except OSError:
                return data, True
        return data, self.closed_by_peer

    def is_open(self, timeout=2.0):
        """True when the connection still answers a PING."""
        try:
            self.send(encode_command("PING"))
            return self.read_reply(timeout) == b"+PONG\r\n"
        except OSError:
            return False
