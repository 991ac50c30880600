"""vigil-sentinel as a process: invocation (--test-config, --directive overrides), YAML
configuration with a separate state file, read-only sentinel.conf fallback, systemd
notifications, scripts run without a shell, and clean SIGTERM shutdown."""
import os
import socket
import stat
import subprocess
import time

import pytest

import harness
from harness import Process, free_port, wait_until


def binary():
    return harness.require_binary(harness.vigil_binary("vigil-sentinel"), "vigil-sentinel")


def test_test_config_validates_and_exits(tmp_dir):
    good = os.path.join(tmp_dir, "good.conf")
    with open(good, "w") as f:
        f.write("port 0\nsentinel monitor m 127.0.0.1 6000 2\n")
    out = subprocess.run([binary(), good, "--test-config"], capture_output=True, timeout=10)
    assert out.returncode == 0, out
    bad = os.path.join(tmp_dir, "bad.conf")
    with open(bad, "w") as f:
        f.write("port 0\nsentinel monitor m 127.0.0.1 6000 0\n")
    out = subprocess.run([binary(), bad, "--test-config"], capture_output=True, timeout=10)
    assert out.returncode == 1
    assert b"Quorum must be 1 or greater." in out.stderr + out.stdout
    assert b"at line 2" in out.stderr + out.stdout


def test_yaml_config_and_state_file(spawn, tmp_dir):
    master = spawn.redis_server()
    port = free_port()
    yaml_path = os.path.join(tmp_dir, "sentinel.yaml")
    yaml_text = ("port: %d\nbind: 127.0.0.1\ndir: %s\nmasters:\n"
                 "  - name: mymaster\n    host: 127.0.0.1\n    port: %d\n    quorum: 1\n"
                 "    down-after-milliseconds: 1000\n" % (port, tmp_dir, master.port))
    with open(yaml_path, "w") as f:
        f.write(yaml_text)
    proc = Process([binary(), yaml_path], tmp_dir, name="vigil-sentinel", port=port)
    spawn.processes.append(proc)
    proc.start()
    myid = proc.execute("SENTINEL", "MYID")
    assert proc.execute("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster") == \
        [b"127.0.0.1", str(master.port).encode()]
    assert proc.call("SENTINEL", "SET", "mymaster", "quorum", "2") == b"+OK\r\n"
    state = os.path.join(tmp_dir, "vigil-sentinel.state")
    wait_until(lambda: os.path.exists(state), 5)
    assert "sentinel myid %s" % myid.decode() in open(state).read()
    # The YAML file is never rewritten.
    assert open(yaml_path).read() == yaml_text
    proc.restart()
    assert proc.execute("SENTINEL", "MYID") == myid


def test_read_only_sentinel_conf_falls_back_to_state_file(spawn, tmp_dir):
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    master = spawn.redis_server()
    conf_dir = os.path.join(tmp_dir, "ro")
    os.makedirs(conf_dir)
    port = free_port()
    conf = os.path.join(conf_dir, "sentinel.conf")
    with open(conf, "w") as f:
        f.write("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor mymaster 127.0.0.1 %d 1\n"
                % (port, tmp_dir, master.port))
    os.chmod(conf, stat.S_IRUSR)
    proc = Process([binary(), conf], tmp_dir, name="vigil-sentinel", port=port)
    spawn.processes.append(proc)
    proc.start()
    assert proc.call("SENTINEL", "FLUSHCONFIG") == b"+OK\r\n"
    assert os.path.exists(os.path.join(tmp_dir, "vigil-sentinel.state"))
    assert "not writable" in proc.log_text()


def test_systemd_notify_and_sigterm(spawn, tmp_dir):
    master = spawn.redis_server()
    sock_path = os.path.join(tmp_dir, "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(sock_path)
    listener.settimeout(10)
    port = free_port()
    conf = os.path.join(tmp_dir, "sentinel.conf")
    with open(conf, "w") as f:
        f.write("port %d\nbind 127.0.0.1\ndir %s\nsupervised systemd\n"
                "sentinel monitor mymaster 127.0.0.1 %d 1\n" % (port, tmp_dir, master.port))
    proc = Process([binary(), conf], tmp_dir, name="vigil-sentinel", port=port,
                   env={"NOTIFY_SOCKET": sock_path})
    spawn.processes.append(proc)
    proc.start()
    messages = []
    deadline = time.monotonic() + 10
    while b"READY=1" not in messages and time.monotonic() < deadline:
        messages.append(listener.recv(4096))
    assert b"READY=1" in messages
    assert any(m.startswith(b"STATUS=monitoring 1 master") for m in messages), messages
    assert proc.stop() == 0
    rest = []
    listener.settimeout(1)
    try:
        while True:
            rest.append(listener.recv(4096))
    except socket.timeout:
        pass
    assert b"STOPPING=1" in rest
    listener.close()


def test_notification_script_runs_without_shell(spawn, tmp_dir):
    master = spawn.redis_server()
    replica = spawn.redis_server(replicaof=["127.0.0.1", master.port])
    out = os.path.join(tmp_dir, "calls.txt")
    script = os.path.join(tmp_dir, "notify.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\nprintf '%%s|' \"$@\" >> %s\necho >> %s\n" % (out, out))
    os.chmod(script, 0o755)
    s = spawn.vigil_sentinel("sentinel monitor mymaster 127.0.0.1 %d 1\n"
                             "sentinel down-after-milliseconds mymaster 1000\n"
                             "sentinel notification-script mymaster %s\n" % (master.port, script))
    wait_until(lambda: b"slaves=1" in s.call("INFO", "sentinel"), 20)
    replica.kill9()
    expected = "+sdown|slave 127.0.0.1:%d 127.0.0.1 %d @ mymaster 127.0.0.1 %d|" % (
        replica.port, replica.port, master.port)
    wait_until(lambda: os.path.exists(out) and expected in open(out).read(), 20,
               message="notification script to be called with Redis's arguments")
    assert s.execute("SENTINEL", "PENDING-SCRIPTS") == []
