"""Differential command corpus: parse tests/interop/corpus/*.txt and replay each file
against two servers at once, comparing the exact reply bytes.

File format (one step per line; see tests/interop/corpus/README.md):

    # a comment
    SET key "va\\x00lue"            send a command, compare the reply byte for byte
    SMEMBERS s  # sort              directives after a standalone '#'
    @sub SUBSCRIBE ch  # replies 2  run on connection "sub" (default: "main")
    @sub !read                      read one more reply without sending anything
    !raw "*1\\r\\n$4\\r\\nPING\\r\\n"  send raw bytes, then read one reply
    !sleep 50                       pause (milliseconds)
    !reconnect                      close and reopen the connection

Arguments use redis-cli quoting: "double" with \\n \\r \\t \\b \\a \\\\ \\" \\xHH escapes, or
'single' with \\' only. Directives: sort, sortpairs, scan, scanpairs, shape, type, skip,
range LO HI, replies N, noread, close, timeout MS (see README.md for their meaning).
"""
import os
import time

from .resp import CLOSED, TIMEOUT, RawClient, encode_command, parse_reply

UNSOLICITED = b"<unsolicited>"

_ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", "b": b"\b", "a": b"\a", "\\": b"\\",
            '"': b'"'}


class CorpusSyntaxError(Exception):
    pass


def split_args(line):
    """redis-cli style tokenizer. Returns (args: list[bytes], directive_text or None)."""
    args, i, n = [], 0, len(line)
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return args, None
        if line[i] == "#" and (i + 1 == n or line[i + 1].isspace()):
            return args, line[i + 1:].strip()
        token = bytearray()
        if line[i] == '"':
            i += 1
            while True:
                if i >= n:
                    raise CorpusSyntaxError("unterminated double quote")
                c = line[i]
                if c == "\\" and i + 1 < n:
                    e = line[i + 1]
                    if e == "x" and _is_hex(line[i + 2:i + 4]):
                        token.append(int(line[i + 2:i + 4], 16))
                        i += 4
                        continue
                    token += _ESCAPES.get(e, e.encode())
                    i += 2
                    continue
                if c == '"':
                    i += 1
                    break
                token += c.encode()
                i += 1
        elif line[i] == "'":
            i += 1
            while True:
                if i >= n:
                    raise CorpusSyntaxError("unterminated single quote")
                c = line[i]
                if c == "\\" and i + 1 < n and line[i + 1] == "'":
                    token += b"'"
                    i += 2
                    continue
                if c == "'":
                    i += 1
                    break
                token += c.encode()
                i += 1
        else:
            while i < n and not line[i].isspace():
                token += line[i].encode()
                i += 1
            args.append(bytes(token))
            continue
        if i < n and not line[i].isspace():
            raise CorpusSyntaxError("closing quote must be followed by a space")
        args.append(bytes(token))


def _is_hex(s):
    return len(s) == 2 and all(c in "0123456789abcdefABCDEF" for c in s)


class Step:
    __slots__ = ("path", "lineno", "text", "conn", "args", "directives")

    def __init__(self, path, lineno, text, conn, args, directives):
        self.path, self.lineno, self.text = path, lineno, text
        self.conn, self.args, self.directives = conn, args, directives

    @property
    def where(self):
        return "%s:%d" % (os.path.basename(self.path), self.lineno)


_DIRECTIVE_ARGS = {"sort": 0, "sortpairs": 0, "scan": 0, "scanpairs": 0, "shape": 0,
                   "type": 0, "skip": 0, "noread": 0, "close": 0, "range": 2, "replies": 1,
                   "timeout": 1}


def parse_directives(text):
    words = text.split()
    out, i = {}, 0
    while i < len(words):
        name = words[i]
        if name not in _DIRECTIVE_ARGS:
            raise CorpusSyntaxError("unknown directive %r" % name)
        k = _DIRECTIVE_ARGS[name]
        values = words[i + 1:i + 1 + k]
        if len(values) != k:
            raise CorpusSyntaxError("directive %r takes %d values" % (name, k))
        out[name] = [int(v) for v in values] if k else True
        i += 1 + k
    return out


def server_directives(path):
    """'#!server name value...' header lines: directives both servers start with
    (e.g. '#!server requirepass secret'). Returns {name: [values]}."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for raw in f:
            if raw.startswith("#!server "):
                words = raw.split()[1:]
                out[words[0]] = words[1:] if len(words) > 2 else (words[1] if len(words) > 1 else "")
    return out


def load_corpus(path):
    steps = []
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            text = raw.rstrip("\n")
            stripped = text.strip()
            if not stripped or stripped.startswith("#"):
                continue
            try:
                conn = "main"
                if stripped.startswith("@"):
                    conn, _, stripped = stripped.partition(" ")
                    conn = conn[1:]
                args, directive_text = split_args(stripped)
                directives = parse_directives(directive_text) if directive_text else {}
            except CorpusSyntaxError as e:
                raise CorpusSyntaxError("%s:%d: %s" % (path, lineno, e))
            if not args:
                raise CorpusSyntaxError("%s:%d: no command" % (path, lineno))
            steps.append(Step(path, lineno, stripped, conn, args, directives))
    return steps


# ---------------------------------------------------------------------------------------
# Replaying one server's side


class ServerSide:
    """The named connections to one server while a corpus file is replayed."""

    def __init__(self, port, timeout=5.0):
        self.port, self.timeout = port, timeout
        self.conns = {}

    def conn(self, name):
        if name not in self.conns:
            self.conns[name] = RawClient(self.port, timeout=self.timeout)
        return self.conns[name]

    def close(self):
        for c in self.conns.values():
            c.close()
        self.conns = {}

    def run(self, step):
        """Execute one step; returns a list of reply byte strings (may be empty)."""
        verb = step.args[0].lower()
        d = step.directives
        if verb == b"!sleep":
            time.sleep(int(step.args[1]) / 1000.0)
            return []
        if verb == b"!reconnect":
            old = self.conns.pop(step.conn, None)
            if old:
                old.close()
            self.conn(step.conn)
            return []
        c = self.conn(step.conn)
        try:
            if verb == b"!raw":
                c.send(b"".join(step.args[1:]))
            elif verb != b"!read":
                c.send(encode_command(*step.args))
        except OSError as e:
            return [CLOSED + (" (send failed: %s)" % e).encode()]
        if "noread" in d:
            return []
        timeout = d["timeout"][0] / 1000.0 if "timeout" in d else None
        if "close" in d:
            data, closed = c.read_until_closed(timeout=timeout or self.timeout)
            return [data + (CLOSED if closed else TIMEOUT)]
        count = d["replies"][0] if "replies" in d else 1
        replies = [c.read_reply(timeout) for _ in range(count)]
        # One reply too many would shift every later comparison on this connection:
        # report it on this step and drop it, so the rest of the file stays meaningful.
        extra = c.take_unsolicited() if not c.closed_by_peer else b""
        if extra:
            replies.append(UNSOLICITED + extra)
        return replies


# ---------------------------------------------------------------------------------------
# Comparing


def _normalize(reply_bytes, d):
    """Reduce a reply to what the directives say is comparable."""
    if reply_bytes.startswith((CLOSED, TIMEOUT, UNSOLICITED)):
        return reply_bytes
    try:
        reply, end = parse_reply(reply_bytes)
    except Exception:
        return reply_bytes
    if "type" in d:
        return ("type", reply.kind)
    if "shape" in d:
        return ("shape", _shape(reply))
    if "range" in d:
        lo, hi = d["range"]
        ok = reply.kind == ":" and lo <= reply.value <= hi
        return ("range", ok) if ok else ("range-violated", reply_bytes)
    if "sort" in d and reply.children is not None:
        return (reply.kind, sorted(c.raw for c in reply.children))
    if "sortpairs" in d and reply.children is not None:
        return (reply.kind, _pairs(reply.children))
    if ("scan" in d or "scanpairs" in d) and reply.children and len(reply.children) == 2:
        cursor, items = reply.children
        if items.children is not None:
            elems = (_pairs(items.children) if "scanpairs" in d
                     else sorted(c.raw for c in items.children))
            return (reply.kind, cursor.raw, items.kind, elems)
    return reply_bytes


def _pairs(children):
    return sorted((children[i].raw, children[i + 1].raw if i + 1 < len(children) else b"")
                  for i in range(0, len(children), 2))


def _shape(reply):
    if reply.children is not None:
        return (reply.kind, [_shape(c) for c in reply.children])
    return reply.kind


class Mismatch:
    def __init__(self, step, a, b):
        self.step, self.a, self.b = step, a, b

    def __str__(self):
        return "%s [@%s] %s\n    expected: %r\n    actual:   %r" % (
            self.step.where, self.step.conn, self.step.text, b"".join(self.a),
            b"".join(self.b))


def replay(path, port_a, port_b, timeout=5.0, before_file=(b"FLUSHALL",)):
    """Replay a corpus file against server A (the reference) and server B, step by step
    (A then B for each step, so timing-dependent steps see the same schedule). Returns the
    list of Mismatch (empty when every compared reply is byte-identical)."""
    steps = load_corpus(path)
    a, b = ServerSide(port_a, timeout), ServerSide(port_b, timeout)
    mismatches = []
    try:
        if before_file:
            for port in (port_a, port_b):
                with RawClient(port, timeout=timeout) as c:
                    c.call(*before_file)  # may be refused (requirepass): servers are fresh
        for step in steps:
            ra, rb = a.run(step), b.run(step)
            if "skip" in step.directives:
                continue
            na = [_normalize(r, step.directives) for r in ra]
            nb = [_normalize(r, step.directives) for r in rb]
            if na != nb or any(isinstance(x, tuple) and x[0] == "range-violated" for x in na):
                mismatches.append(Mismatch(step, ra, rb))
    finally:
        a.close()
        b.close()
    return mismatches


def show(path, port, timeout=5.0):
    """Print every step of a corpus file with the reply one server gives (for writing
    and reviewing corpus files): python3 -m harness.corpus PORT FILE..."""
    side = ServerSide(port, timeout)
    try:
        for step in load_corpus(path):
            replies = side.run(step)
            print("%-14s %-60s %s" % (step.where, step.text[:60],
                                      " | ".join(repr(r)[2:-1] for r in replies)[:300]))
    finally:
        side.close()


if __name__ == "__main__":
    import sys
    for corpus_path in sys.argv[2:]:
        show(corpus_path, int(sys.argv[1]))
