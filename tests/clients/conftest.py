"""Fixtures of the client suites: redis-py connections to the data_node under test
(redis-server as the reference, then vigil-node)."""
import pytest
import redis


def _client(node):
    return redis.Redis(host="127.0.0.1", port=node.port, socket_timeout=10)


@pytest.fixture
def r(data_node):
    client = _client(data_node)
    yield client
    client.close()


@pytest.fixture
def r2(data_node):
    """A second connection, for contention, WATCH and blocking tests."""
    client = _client(data_node)
    yield client
    client.close()
