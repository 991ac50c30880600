"""Sentinel pub/sub events seen from a test: PSUBSCRIBE * on one sentinel, collected in a
background thread. on_event(channel, message), when given, runs in that thread as soon as
an event arrives (e.g. to SIGSTOP / SIGKILL a process at an exact point of a failover)."""
import re
import socket
import threading

from .resp import Incomplete, encode_command, parse_reply
from .wait import wait_until


class EventLog:
    def __init__(self, port, on_event=None, host="127.0.0.1"):
        self.sock = socket.create_connection((host, port), timeout=5)
        self.sock.sendall(encode_command("PSUBSCRIBE", "*"))
        self.events = []
        self.lock = threading.Lock()
        self.stopped = False
        self.buf = b""
        self.on_event = on_event
        self._read_one()  # the psubscribe confirmation
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _read_one(self):
        while True:
            try:
                reply, end = parse_reply(self.buf)
                self.buf = self.buf[end:]
                return reply.to_python()
            except Incomplete:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("sentinel closed the event connection")
                self.buf += chunk

    def _run(self):
        while not self.stopped:
            try:
                msg = self._read_one()
            except socket.timeout:
                continue
            except (ConnectionError, OSError):
                return
            if isinstance(msg, list) and len(msg) == 4 and msg[0] == b"pmessage":
                channel, text = msg[2].decode(), msg[3].decode()
                with self.lock:
                    self.events.append((channel, text))
                if self.on_event is not None:
                    try:
                        self.on_event(channel, text)
                    except Exception:
                        pass

    def find(self, channel, pattern=None):
        with self.lock:
            for ch, text in self.events:
                if ch == channel and (pattern is None or re.fullmatch(pattern, text)):
                    return text
        return None

    def wait(self, channel, pattern=None, timeout=30):
        return wait_until(lambda: self.find(channel, pattern), timeout,
                          message="event %s %s (seen: %s)" % (channel, pattern or "",
                                                                self.channels()))

    def channels(self):
        with self.lock:
            return [c for c, _ in self.events][-40:]

    def close(self):
        self.stopped = True
        self.thread.join(2)
        try:
            self.sock.close()
        except OSError:
            pass
