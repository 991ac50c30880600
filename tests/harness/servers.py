"""Start the servers tests talk to: redis-server / vigil-node data nodes and
redis-sentinel / vigil-sentinel, each on a free port (unless given) in its own directory.

Directives are passed like on the redis-server command line: keyword names use '_' for
'-' (maxmemory_policy='allkeys-lru' -> --maxmemory-policy allkeys-lru); a list/tuple
value becomes several arguments (save=['900', '1']); True/False become yes/no; None
drops the directive.
"""
import os
import tempfile

from .binaries import redis_binary, vigil_binary
from .ports import free_port
from .process import Process


def _workdir(workdir, prefix):
    if workdir is None:
        workdir = tempfile.mkdtemp(prefix="vigil-test-%s-" % prefix)
    os.makedirs(workdir, exist_ok=True)
    return workdir


def directive_args(directives):
    """Turn keyword directives into redis-server style '--name value...' arguments."""
    args = []
    for name, value in directives.items():
        if value is None:
            continue
        args.append("--" + name.replace("_", "-"))
        if isinstance(value, bool):
            args.append("yes" if value else "no")
        elif isinstance(value, (list, tuple)):
            args.extend(str(v) for v in value)
        else:
            args.append(str(value))
    return args


def _data_node(binary, name, port, workdir, directives, start, timeout):
    port = port or free_port()
    workdir = _workdir(workdir, "%s-%d" % (name, port))
    # No 5 s wait for more replicas before a diskless full sync (tests that
    # exercise the delay set it themselves).
    base = {"port": port, "bind": "127.0.0.1", "dir": workdir, "save": "",
            "repl_diskless_sync_delay": 0}
    base.update(directives)
    proc = Process([binary] + directive_args(base), workdir, name=name, port=port)
    return proc.start(timeout=timeout) if start else proc


def start_redis_server(port=None, workdir=None, start=True, timeout=10.0, **directives):
    """A redis-server (Debian's, the reference) with no persistence unless asked for."""
    binary = redis_binary("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server not found in PATH")
    return _data_node(binary, "redis-server", port, workdir, directives, start, timeout)


def start_vigil_node(port=None, workdir=None, start=True, timeout=10.0, **directives):
    """A vigil-node from $VIGIL_BUILD_DIR, invoked exactly like redis-server."""
    binary = vigil_binary("vigil-node")
    if binary is None:
        raise FileNotFoundError("vigil-node is not built (looked in $VIGIL_BUILD_DIR)")
    return _data_node(binary, "vigil-node", port, workdir, directives, start, timeout)


def _sentinel(binary, name, port, conf_text, workdir, start, timeout, conf_name):
    port = port or free_port()
    workdir = _workdir(workdir, "%s-%d" % (name, port))
    conf_path = os.path.join(workdir, conf_name)
    # Our lines first: the port is the one we were given; conf_text may add anything else.
    with open(conf_path, "w") as f:
        f.write("port %d\nbind 127.0.0.1\ndir %s\n" % (port, workdir))
        f.write(conf_text or "")
        if conf_text and not conf_text.endswith("\n"):
            f.write("\n")
    proc = Process([binary, conf_path], workdir, name=name, port=port)
    proc.conf_path = conf_path
    return proc.start(timeout=timeout) if start else proc


def start_redis_sentinel(port=None, conf_text="", workdir=None, start=True, timeout=10.0):
    """redis-sentinel with a sentinel.conf made of port/bind/dir plus conf_text (e.g.
    'sentinel monitor mymaster 127.0.0.1 21000 2\\n...'). proc.conf_path is the file."""
    binary = redis_binary("redis-sentinel")
    if binary is None:
        raise FileNotFoundError("redis-sentinel not found in PATH")
    return _sentinel(binary, "redis-sentinel", port, conf_text, workdir, start, timeout,
                     "sentinel.conf")


def start_vigil_sentinel(port=None, conf_text="", workdir=None, start=True, timeout=10.0,
                         conf_name="sentinel.conf"):
    """vigil-sentinel with the same CLI shape as redis-sentinel (config file argument).
    conf_name lets a test use a YAML file name instead of sentinel.conf."""
    binary = vigil_binary("vigil-sentinel")
    if binary is None:
        raise FileNotFoundError("vigil-sentinel is not built (looked in $VIGIL_BUILD_DIR)")
    return _sentinel(binary, "vigil-sentinel", port, conf_text, workdir, start, timeout,
                     conf_name)
