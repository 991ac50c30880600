"""Server processes under test: start in a private directory with logs in a file, wait
until the port answers PING, stop / kill -9 / SIGSTOP / restart. Every process started
here is registered and killed by PID at test end (fixture finalizers call stop_all) and
at interpreter exit: never by name, other people's redis processes share the machine."""
import atexit
import ctypes
import os
import signal
import subprocess

from .resp import RawClient, encode_command
from .wait import GiveUp, wait_until

_live = {}  # pid -> Process

_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """Runs in the child before exec: have the kernel SIGKILL it if the test runner dies
    (even by SIGKILL), so an aborted run leaves no server behind. Note the kernel ties
    this to the *thread* that forked: start processes from the main test thread."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except Exception:
        pass


class Process:
    def __init__(self, argv, workdir, name=None, port=None, env=None, ready_reply=None):
        """argv: full command line; workdir: cwd and log location; port: where PING is
        answered once ready (None: don't wait); ready_reply: reply bytes that mean ready
        (default +PONG; -LOADING etc. keep waiting)."""
        self.argv = [str(a) for a in argv]
        self.workdir = workdir
        self.name = name or os.path.basename(self.argv[0])
        self.port = port
        self.env = env
        self.ready_reply = ready_reply
        self.log_path = os.path.join(workdir, "%s-%s.log" % (self.name, port or "x"))
        self.popen = None
        self.starts = 0

    # -- lifecycle -------------------------------------------------------------------
    def start(self, wait=True, timeout=10.0):
        os.makedirs(self.workdir, exist_ok=True)
        self.starts += 1
        log = open(self.log_path, "ab")
        log.write(b"=== start #%d: %s\n" % (self.starts, " ".join(self.argv).encode()))
        log.flush()
        env = dict(os.environ)
        if self.env:
            env.update(self.env)
        self.popen = subprocess.Popen(self.argv, cwd=self.workdir, stdin=subprocess.DEVNULL,
                                      stdout=log, stderr=subprocess.STDOUT, env=env,
                                      preexec_fn=_die_with_parent)
        log.close()
        _live[self.popen.pid] = self
        if wait and self.port is not None:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=10.0):
        def answers_ping():
            if self.popen.poll() is not None:
                raise GiveUp("%s exited with %s during startup; log tail:\n%s"
                             % (self.name, self.popen.returncode, self.log_tail()))
            with RawClient(self.port, timeout=1.0) as c:
                reply = c.call("PING")
            if self.ready_reply is not None:
                return reply == self.ready_reply
            return reply[:1] in (b"+", b"-") and not reply.startswith((b"-LOADING", b"-BUSY"))
        try:
            wait_until(answers_ping, timeout, message="%s to answer PING on port %s"
                       % (self.name, self.port))
        except GiveUp as e:
            raise AssertionError(str(e))
        except AssertionError as e:
            if self.popen.poll() is not None:
                raise AssertionError("%s exited with %s during startup; log tail:\n%s"
                                     % (self.name, self.popen.returncode, self.log_tail()))
            raise AssertionError("%s; log tail:\n%s" % (e, self.log_tail()))

    def stop(self, timeout=10.0):
        """SIGTERM, then SIGKILL if it is still alive after timeout. Returns the exit code."""
        if self.popen is None or self.popen.poll() is not None:
            return self._reap()
        self._signal(signal.SIGCONT)  # a stopped process would never handle SIGTERM
        self._signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.popen.wait(10)
        return self._reap()

    def kill9(self):
        if self.popen is not None and self.popen.poll() is None:
            self._signal(signal.SIGKILL)
            self.popen.wait(10)
        return self._reap()

    def sigstop(self):
        self._signal(signal.SIGSTOP)

    def sigcont(self):
        self._signal(signal.SIGCONT)

    def restart(self, wait=True, timeout=10.0):
        """Stop (if running) and start again with the same arguments, directory and port."""
        self.stop()
        return self.start(wait=wait, timeout=timeout)

    # -- inspection ------------------------------------------------------------------
    @property
    def pid(self):
        return self.popen.pid if self.popen else None

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    @property
    def returncode(self):
        return self.popen.poll() if self.popen else None

    def rss_kb(self):
        """Resident set size (VmRSS) in KiB, from /proc."""
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS for pid %d" % self.pid)

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines=30):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def client(self, timeout=5.0):
        """A new RawClient connected to this process."""
        return RawClient(self.port, timeout=timeout)

    def call(self, *args, timeout=5.0):
        """One command on a fresh connection; returns the exact reply bytes."""
        with RawClient(self.port, timeout=timeout) as c:
            return c.call(*args)

    def execute(self, *args, timeout=5.0):
        """One command on a fresh connection; returns the parsed Python value."""
        with RawClient(self.port, timeout=timeout) as c:
            return c.execute(*args)

    def info(self, section=None):
        """INFO [section] parsed into a dict of str -> str."""
        raw = self.execute("INFO", section) if section else self.execute("INFO")
        fields = {}
        for line in raw.decode().splitlines():
            if line and not line.startswith("#") and ":" in line:
                k, v = line.split(":", 1)
                fields[k] = v
        return fields

    # -- internals -------------------------------------------------------------------
    def _signal(self, sig):
        if self.popen is not None and self.popen.poll() is None:
            try:
                os.kill(self.popen.pid, sig)
            except ProcessLookupError:
                pass

    def _reap(self):
        if self.popen is not None:
            self.popen.poll()
            if self.popen.returncode is not None:
                _live.pop(self.popen.pid, None)
            return self.popen.returncode
        return None

    def __repr__(self):
        return "<Process %s pid=%s port=%s>" % (self.name, self.pid, self.port)


def live_processes():
    return list(_live.values())


def stop_all(timeout=5.0):
    """Stop every process this interpreter started and that is still running (by PID)."""
    for proc in list(_live.values()):
        try:
            proc.stop(timeout)
        except Exception:
            proc.kill9()


atexit.register(stop_all)
