"""Shared pytest fixtures for every process-level suite under tests/ (generic: no
suite-specific logic here). The harness package lives beside this file."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

DEFAULT_TEST_TIMEOUT = 120  # seconds; a test may ask for another with @pytest.mark.timeout


def pytest_collection_modifyitems(config, items):
    """Every test is bounded in time, even when its author forgot a timeout marker and
    the run gave no --timeout (an explicit --timeout or ini timeout wins)."""
    if config.getoption("timeout", None) or config.getini("timeout"):
        return
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(DEFAULT_TEST_TIMEOUT))


class Spawner:
    """Starts servers for one test in subdirectories of its tmp_path and stops every one
    of them (by PID) when the test ends. Missing vigil binaries skip the test."""

    def __init__(self, base_dir):
        self.base_dir = base_dir
        self.processes = []
        self._count = 0

    def _dir(self, name):
        self._count += 1
        path = os.path.join(self.base_dir, "%s-%d" % (name, self._count))
        os.makedirs(path, exist_ok=True)
        return path

    def _track(self, proc):
        self.processes.append(proc)
        return proc

    def redis_server(self, port=None, **directives):
        harness.require_binary(harness.redis_binary("redis-server"), "redis-server")
        proc = harness.start_redis_server(port, self._dir("redis-server"), start=False,
                                          **directives)
        return self._track(proc).start()

    def vigil_node(self, port=None, **directives):
        harness.require_binary(harness.vigil_binary("vigil-node"), "vigil-node")
        proc = harness.start_vigil_node(port, self._dir("vigil-node"), start=False,
                                        **directives)
        return self._track(proc).start()

    def redis_sentinel(self, conf_text="", port=None):
        harness.require_binary(harness.redis_binary("redis-sentinel"), "redis-sentinel")
        proc = harness.start_redis_sentinel(port, conf_text, self._dir("redis-sentinel"),
                                            start=False)
        return self._track(proc).start()

    def vigil_sentinel(self, conf_text="", port=None, conf_name="sentinel.conf"):
        harness.require_binary(harness.vigil_binary("vigil-sentinel"), "vigil-sentinel")
        proc = harness.start_vigil_sentinel(port, conf_text, self._dir("vigil-sentinel"),
                                            start=False, conf_name=conf_name)
        return self._track(proc).start()

    def stop_all(self):
        for proc in reversed(self.processes):
            try:
                proc.stop(timeout=5)
            except Exception:
                proc.kill9()


@pytest.fixture
def tmp_dir(tmp_path):
    """A fresh directory (str) for this test's files."""
    return str(tmp_path)


@pytest.fixture
def spawn(tmp_path):
    """Factory for servers that are all stopped by PID at the end of the test:
    spawn.redis_server(**directives), spawn.vigil_node(**directives),
    spawn.redis_sentinel(conf_text), spawn.vigil_sentinel(conf_text)."""
    spawner = Spawner(str(tmp_path))
    yield spawner
    spawner.stop_all()


@pytest.fixture
def redis_server(spawn):
    """A running Debian redis-server (the reference) on a free port."""
    return spawn.redis_server()


@pytest.fixture
def vigil_node(spawn):
    """A running vigil-node on a free port (skips when it is not built)."""
    return spawn.vigil_node()


@pytest.fixture(params=["redis-server", "vigil-node"])
def data_node(request, spawn):
    """A running data node, once as Debian's redis-server (proves the test against the
    reference) and once as vigil-node (the product; skipped when it is not built)."""
    if request.param == "redis-server":
        return spawn.redis_server()
    return spawn.vigil_node()
