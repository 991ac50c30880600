"""Differential test: every corpus file in corpus/ is replayed against Debian's
redis-server (the reference) and vigil-node, each on fresh servers, and every reply must
be byte-identical except where a directive in the corpus says the reply is inherently
different (see corpus/README.md). One test per corpus file.

test_reference_is_deterministic replays the same files against two redis-servers: it
proves the corpus itself (and the harness) only compares what is deterministic, so a
failure in test_vigil_node_matches_redis is a real vigil-node difference.
"""
import glob
import os

import pytest

import harness
from harness.corpus import replay, server_directives

CORPUS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
CORPUS_FILES = sorted(glob.glob(os.path.join(CORPUS_DIR, "*.txt")))
IDS = [os.path.splitext(os.path.basename(p))[0] for p in CORPUS_FILES]


def _servers(spawn, path, second):
    directives = server_directives(path)
    reference = spawn.redis_server(**directives)
    other = spawn.vigil_node(**directives) if second == "vigil" else spawn.redis_server(**directives)
    return reference, other


def _check(path, reference, other):
    mismatches = replay(path, reference.port, other.port)
    if mismatches:
        pytest.fail("%d reply mismatch(es) between %s (expected) and %s (actual):\n%s" % (
            len(mismatches), reference.name, other.name,
            "\n".join(str(m) for m in mismatches)), pytrace=False)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", CORPUS_FILES, ids=IDS)
def test_reference_is_deterministic(spawn, path):
    reference, other = _servers(spawn, path, "redis")
    _check(path, reference, other)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", CORPUS_FILES, ids=IDS)
def test_vigil_node_matches_redis(spawn, path):
    harness.require_binary(harness.vigil_binary("vigil-node"), "vigil-node")
    reference, other = _servers(spawn, path, "vigil")
    _check(path, reference, other)


def test_corpus_size():
    """The issue asks for several hundred commands; keep the corpus from shrinking."""
    from harness.corpus import load_corpus
    total = sum(len(load_corpus(p)) for p in CORPUS_FILES)
    assert total >= 600, total
