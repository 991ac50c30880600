"""Shared harness for every process-level test (pytest) in tests/.

    from harness import (free_port, release_port, Process, start_redis_server,
                         start_vigil_node, start_redis_sentinel, start_vigil_sentinel,
                         wait_until, RawClient, encode_command, parse_reply,
                         vigil_binary, redis_binary, require_binary, stop_all)

Processes are killed by PID when the test's fixture finalizer runs (see tests/conftest.py)
and at interpreter exit; a child also gets SIGKILL if the test runner itself dies.
"""
from .events import EventLog
from .binaries import build_dir, redis_binary, require_binary, vigil_binary, REPO_ROOT
from .ports import free_port, release_port
from .process import Process, live_processes, stop_all
from .resp import (CLOSED, TIMEOUT, RawClient, Reply, ReplyError, encode_command,
                   parse_reply, Incomplete, ProtocolViolation)
from .servers import (directive_args, start_redis_sentinel, start_redis_server,
                      start_vigil_node, start_vigil_sentinel)
from .wait import GiveUp, wait_until

__all__ = [name for name in dir() if not name.startswith("_")]
