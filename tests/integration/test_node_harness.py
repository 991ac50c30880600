"""Self-test of tests/harness (used by every process-level suite): port leases really
exclude other processes, process control works by PID, the raw RESP client returns
exact bytes, and the corpus tokenizer follows redis-cli quoting."""
import os
import subprocess
import sys
import time

import pytest

import harness
from harness.corpus import CorpusSyntaxError, split_args


def test_free_port_is_exclusive_across_processes():
    ports = [harness.free_port() for _ in range(20)]
    assert len(set(ports)) == 20
    assert not set(ports) & harness.ports.RESERVED_PORTS
    # another process must not be able to lease a port this process holds
    probe = ("import fcntl,sys; f=open('%s/%%d.lock' %% int(sys.argv[1]),'a')\n"
             "try:\n fcntl.flock(f, fcntl.LOCK_EX|fcntl.LOCK_NB); print('got')\n"
             "except OSError: print('busy')" % harness.ports.LOCK_DIR)
    out = subprocess.run([sys.executable, "-c", probe, str(ports[0])], capture_output=True,
                         text=True, timeout=30).stdout.strip()
    assert out == "busy"
    harness.release_port(ports[0])
    out = subprocess.run([sys.executable, "-c", probe, str(ports[0])], capture_output=True,
                         text=True, timeout=30).stdout.strip()
    assert out == "got"
    for p in ports[1:]:
        harness.release_port(p)


def test_process_control(spawn):
    r = spawn.redis_server()
    pid = r.pid
    assert r.call("SET", "k", "v") == b"+OK\r\n"
    r.sigstop()
    with r.client(timeout=0.3) as c:
        assert c.call("PING") == harness.TIMEOUT  # stopped: no answer
    r.sigcont()
    assert r.call("PING") == b"+PONG\r\n"
    r.restart()
    assert r.pid != pid and r.call("PING") == b"+PONG\r\n"
    r.kill9()
    assert not r.alive() and r.returncode == -9
    assert r not in harness.live_processes()
    assert "=== start #2" in r.log_text()


def test_raw_client_exact_bytes_and_resp3(redis_server):
    with redis_server.client() as c:
        assert c.call("HELLO", "3")[:2] == b"%7"
        c.call("HSET", "h", "a", "1")
        assert c.call("HGETALL", "h") == b"%1\r\n$1\r\na\r\n$1\r\n1\r\n"
        assert c.execute("HGETALL", "h") == {b"a": b"1"}
        assert c.call("GET", "nope") == b"_\r\n"
        c.call("ZADD", "z", "1.5", "m")
        assert c.call("ZSCORE", "z", "m") == b",1.5\r\n"
        assert isinstance(c.execute("NOSUCH"), harness.ReplyError)
        c.send(b"QUIT\r\n")
        assert c.read_until_closed(timeout=5) == (b"+OK\r\n", True)


def test_split_args_follows_redis_cli_quoting():
    assert split_args('SET k "a b\\x00\\n" \'it\\\'s\'') == ([b"SET", b"k", b"a b\x00\n", b"it's"], None)
    assert split_args('GET k # sort') == ([b"GET", b"k"], "sort")
    assert split_args('SET k #notdirective') == ([b"SET", b"k", b"#notdirective"], None)
    with pytest.raises(CorpusSyntaxError):
        split_args('SET k "unterminated')
    with pytest.raises(CorpusSyntaxError):
        split_args('SET k "a"b')


def test_children_die_with_the_test_runner(tmp_dir):
    """PR_SET_PDEATHSIG: a server started by a runner that is SIGKILLed goes away too."""
    script = ("import sys,time; sys.path.insert(0,%r); import harness\n"
              "r=harness.start_redis_server(workdir=%r); print(r.pid, flush=True); time.sleep(60)"
              % (os.path.dirname(os.path.dirname(os.path.abspath(__file__))), tmp_dir))
    runner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child = int(runner.stdout.readline())
    runner.kill()
    runner.wait(10)

    def child_gone():
        try:
            with open("/proc/%d/stat" % child) as f:
                return f.read().split()[2] == "Z"  # zombie until init reaps it
        except FileNotFoundError:
            return True
    harness.wait_until(child_gone, timeout=10, message="orphaned redis-server to die")
